#!/bin/sh
# Test of the ankerl::unordered_dense stand-in header: compiles
# test/unordered_dense_test.cpp with c++ (C++20, as the worker) and runs it.
# Last line: "unordered_dense: N passed, M failed"; exits non-zero on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${CXX:-c++} -std=c++20 -O0 -Wall -Wextra -Werror -fsanitize=address,undefined \
	-I"$here/subprojects/unordered_dense-5.3.2/include" \
	"$here/test/unordered_dense_test.cpp" -o "$work/unordered_dense_test"
"$work/unordered_dense_test"

// Test of the ankerl::unordered_dense stand-in
// (subprojects/unordered_dense-5.3.2/include/ankerl/unordered_dense.h): random
// operations checked against std::map, plus the behaviour the original documents
// (insertion order, erase moving the last value). Run by ../test-unordered-dense.sh.
#include <ankerl/unordered_dense.h>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

static int passed, failed;

#define CHECK(cond)                                                               \
	do                                                                            \
	{                                                                             \
		if (!(cond))                                                              \
		{                                                                         \
			std::fprintf(stderr, "    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			return false;                                                         \
		}                                                                         \
	} while (0)

// Every key in one bucket: the index degenerates into one long probe sequence.
struct CollidingHash
{
	std::size_t operator()(int) const noexcept
	{
		return 42;
	}
};

// A plain, non-avalanching hash like the worker's own key hashes.
struct IdentityHash
{
	std::size_t operator()(int key) const noexcept
	{
		return static_cast<std::size_t>(key);
	}
};

template<class Map>
static bool same(const Map& map, const std::map<int, int>& reference)
{
	CHECK(map.size() == reference.size());
	CHECK(map.empty() == reference.empty());
	std::size_t seen = 0;
	for (const auto& [key, value] : map)
	{
		auto it = reference.find(key);
		CHECK(it != reference.end());
		CHECK(it->second == value);
		++seen;
	}
	CHECK(seen == reference.size());
	for (const auto& [key, value] : reference)
	{
		CHECK(map.contains(key));
		CHECK(map.count(key) == 1);
		CHECK(map.at(key) == value);
	}
	return true;
}

template<class Hash>
static bool random_operations(unsigned seed, int keyRange)
{
	ankerl::unordered_dense::map<int, int, Hash> map;
	std::map<int, int> reference;
	std::mt19937 random(seed);

	for (int step = 0; step < 20000; ++step)
	{
		const int key   = static_cast<int>(random() % static_cast<unsigned>(keyRange));
		const int value = static_cast<int>(random() % 1000);

		switch (random() % 9)
		{
			case 0:
			{
				auto [it, inserted] = map.insert({ key, value });
				auto [_, refInserted] = reference.insert({ key, value });
				CHECK(inserted == refInserted && it->first == key);
				break;
			}
			case 1:
			{
				auto [it, inserted] = map.emplace(key, value);
				CHECK(inserted == reference.emplace(key, value).second && it->first == key);
				break;
			}
			case 2:
			{
				auto [it, inserted] = map.try_emplace(key, value);
				CHECK(inserted == reference.try_emplace(key, value).second && it->second == reference[key]);
				break;
			}
			case 3:
				map.insert_or_assign(key, value);
				reference.insert_or_assign(key, value);
				break;
			case 4:
				map[key] += value;
				reference[key] += value;
				break;
			case 5:
				CHECK(map.erase(key) == reference.erase(key));
				break;
			case 6:
			{
				// The worker's erase-while-iterating loop.
				for (auto it = map.begin(); it != map.end();)
				{
					if (it->second % 7 == value % 7)
					{
						reference.erase(it->first);
						it = map.erase(it);
					}
					else
					{
						++it;
					}
				}
				break;
			}
			case 7:
			{
				auto it = map.find(key);
				CHECK((it != map.end()) == (reference.count(key) == 1));
				if (it != map.end())
					CHECK(it->second == reference[key]);
				break;
			}
			default:
				if (random() % 500 == 0)
				{
					map.clear();
					reference.clear();
				}
				else if (random() % 100 == 0)
				{
					map.reserve(map.size() * 2 + 10);
				}
				break;
		}
	}
	return same(map, reference);
}

static bool insertion_order_and_erase_semantics()
{
	ankerl::unordered_dense::map<std::string, int> map;
	for (int i = 0; i < 100; ++i)
		map.emplace("key" + std::to_string(i), i);

	int expected = 0;
	for (const auto& [key, value] : map)
	{
		CHECK(value == expected);
		CHECK(key == "key" + std::to_string(expected));
		++expected;
	}

	// Erasing moves the last value into the hole; the returned iterator points there.
	auto it = map.erase(map.find("key10"));
	CHECK(it->second == 99);
	CHECK(map.size() == 99);
	CHECK(!map.contains("key10"));
	CHECK(map.values().back().second == 98);

	const auto copy = map;
	CHECK(copy == map);
	map["key10"] = 10;
	CHECK(copy != map);

	bool threw = false;
	try
	{
		(void)map.at("missing");
	}
	catch (const std::out_of_range&)
	{
		threw = true;
	}
	CHECK(threw);
	return true;
}

enum class Color : std::uint8_t
{
	Red,
	Green,
	Blue
};

static bool sets_and_key_types()
{
	ankerl::unordered_dense::set<std::string> names{ "a", "b", "c" };
	CHECK(names.size() == 3 && names.contains("b") && !names.contains("d"));
	CHECK(!names.insert("a").second);
	CHECK(names.erase("a") == 1 && names.size() == 2);

	ankerl::unordered_dense::map<Color, std::string> colors{ { Color::Red, "red" }, { Color::Blue, "blue" } };
	CHECK(colors.at(Color::Blue) == "blue" && !colors.contains(Color::Green));

	int a = 1, b = 2;
	ankerl::unordered_dense::map<int*, int> pointers;
	pointers[&a] = 1;
	pointers[&b] = 2;
	CHECK(pointers.at(&b) == 2 && pointers.size() == 2);

	ankerl::unordered_dense::set<std::uint32_t> ssrcs;
	std::set<std::uint32_t> reference;
	std::mt19937 random(7);
	for (int i = 0; i < 5000; ++i)
	{
		const std::uint32_t ssrc = static_cast<std::uint32_t>(random() % 3000);
		if (random() % 3 == 0)
			CHECK(ssrcs.erase(ssrc) == reference.erase(ssrc));
		else
			CHECK(ssrcs.insert(ssrc).second == reference.insert(ssrc).second);
	}
	CHECK(ssrcs.size() == reference.size());
	for (auto ssrc : reference)
		CHECK(ssrcs.contains(ssrc));

	// The worker combines these in its own hashes (TransportTuple, PortManager).
	CHECK(ankerl::unordered_dense::hash<std::uint16_t>{}(1) != ankerl::unordered_dense::hash<std::uint16_t>{}(2));
	return true;
}

static void run(const char* name, bool ok)
{
	std::printf("  %s %s\n", ok ? "ok  " : "FAIL", name);
	(ok ? passed : failed)++;
}

int main()
{
	run("random operations vs std::map (default hash, dense keys)", random_operations<ankerl::unordered_dense::hash<int>>(1, 500));
	run("random operations vs std::map (identity hash, sparse keys)", random_operations<IdentityHash>(2, 1 << 30));
	run("random operations vs std::map (every key colliding)", random_operations<CollidingHash>(3, 200));
	run("insertion order, erase moves the last value, ==, at()", insertion_order_and_erase_semantics());
	run("sets, enum/pointer/string keys, hash", sets_and_key_types());
	std::printf("unordered_dense: %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

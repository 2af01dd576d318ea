// ankerl::unordered_dense stand-in, written for this project (see ../../meson.build):
// the part of the API of martinus/unordered_dense 5.x that the mediasoup worker
// uses, with the same observable behaviour:
//
// - values live densely in a std::vector<value_type> (value_type is
//   std::pair<Key, T> for a map, Key for a set), so iteration follows insertion
//   order until an erase, which moves the last value into the erased slot;
//   erase(iterator) returns an iterator to that same slot;
// - an open-addressing index (linear probing, backward-shift deletion) maps
//   hashes to positions in that vector;
// - references and iterators are invalidated by inserts (the vector grows) and
//   erases, as in the original.
//
// ankerl::unordered_dense::hash<T> mixes std::hash<T> through a 128-bit multiply;
// a user hash without `is_avalanching` is mixed the same way before use.
#ifndef MAFALDA_ANKERL_UNORDERED_DENSE_H
#define MAFALDA_ANKERL_UNORDERED_DENSE_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace ankerl::unordered_dense
{
	namespace detail
	{
		inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept
		{
			const __uint128_t r = static_cast<__uint128_t>(a) * b;
			return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64U);
		}

		inline std::uint64_t mix(std::uint64_t x) noexcept
		{
			return mix(x, UINT64_C(0x9E3779B97F4A7C15));
		}

		template<class Hash, class = void>
		struct is_avalanching : std::false_type
		{
		};

		template<class Hash>
		struct is_avalanching<Hash, std::void_t<typename Hash::is_avalanching>> : std::true_type
		{
		};
	} // namespace detail

	template<class T, class Enable = void>
	struct hash
	{
		using is_avalanching = void;

		std::uint64_t operator()(const T& value) const
		  noexcept(noexcept(std::declval<std::hash<T>>().operator()(std::declval<const T&>())))
		{
			return detail::mix(static_cast<std::uint64_t>(std::hash<T>{}(value)));
		}
	};

	namespace detail
	{
		// The container behind map (T = mapped type) and set (T = void).
		template<class Key, class T, class Hash, class KeyEqual, class Allocator>
		class table
		{
			static constexpr bool is_map = !std::is_void_v<T>;

		public:
			using key_type        = Key;
			using mapped_type     = T;
			using value_type      = std::conditional_t<is_map, std::pair<Key, T>, Key>;
			using size_type       = std::size_t;
			using difference_type = std::ptrdiff_t;
			using hasher          = Hash;
			using key_equal       = KeyEqual;
			using allocator_type  = Allocator;
			using reference       = value_type&;
			using const_reference = const value_type&;
			using value_container_type = std::vector<value_type, Allocator>;
			using iterator       = std::conditional_t<
        is_map,
        typename value_container_type::iterator,
        typename value_container_type::const_iterator>;
			using const_iterator = typename value_container_type::const_iterator;

		private:
			static constexpr std::uint32_t Empty{ 0 }; // slot value: position + 1, or Empty
			static constexpr std::size_t MinSlots{ 8 };

			value_container_type mValues;
			std::vector<std::uint64_t> mHashes; // hash of each indexed value's key, same order as mValues
			std::vector<std::uint32_t> mSlots;  // power-of-two sized index
			Hash mHash;
			KeyEqual mEqual;

			static const Key& key_of(const value_type& value) noexcept
			{
				if constexpr (is_map)
					return value.first;
				else
					return value;
			}

			template<class K>
			std::uint64_t hash_of(const K& key) const
			{
				if constexpr (is_avalanching<Hash>::value)
					return static_cast<std::uint64_t>(mHash(key));
				else
					return mix(static_cast<std::uint64_t>(mHash(key)));
			}

			std::size_t mask() const noexcept
			{
				return mSlots.size() - 1;
			}

			// Slot holding the position of a value equal to key, or the empty slot
			// where it would go.
			template<class K>
			std::size_t probe(const K& key, std::uint64_t h) const
			{
				std::size_t i = static_cast<std::size_t>(h) & mask();

				while (mSlots[i] != Empty)
				{
					const std::size_t pos = mSlots[i] - 1;

					if (mHashes[pos] == h && mEqual(key_of(mValues[pos]), key))
						return i;
					i = (i + 1) & mask();
				}
				return i;
			}

			// Slot that holds position pos.
			std::size_t slot_of(std::size_t pos) const noexcept
			{
				std::size_t i = static_cast<std::size_t>(mHashes[pos]) & mask();

				while (mSlots[i] != pos + 1)
					i = (i + 1) & mask();
				return i;
			}

			void rebuild(std::size_t slotCount)
			{
				mSlots.assign(slotCount, Empty);
				// Only indexed values: emplace_back_unique() grows the index while
				// its new value is not indexed yet.
				for (std::size_t pos = 0; pos < mHashes.size(); ++pos)
				{
					std::size_t i = static_cast<std::size_t>(mHashes[pos]) & mask();

					while (mSlots[i] != Empty)
						i = (i + 1) & mask();
					mSlots[i] = static_cast<std::uint32_t>(pos + 1);
				}
			}

			// Slots for n values at a load factor of at most 0.8.
			static std::size_t slots_for(std::size_t n) noexcept
			{
				std::size_t count = MinSlots;

				while (count * 4 < n * 5 + 4)
					count *= 2;
				return count;
			}

			void grow_for(std::size_t n)
			{
				if (mSlots.empty() || mSlots.size() * 4 < n * 5 + 4)
					rebuild(slots_for(n));
			}

			template<class K>
			std::size_t find_pos(const K& key) const
			{
				if (mValues.empty())
					return mValues.size();

				const std::size_t i = probe(key, hash_of(key));

				return mSlots[i] == Empty ? mValues.size() : mSlots[i] - 1;
			}

			// Appends the value built from args unless its key is there already.
			template<class... Args>
			std::pair<iterator, bool> emplace_back_unique(Args&&... args)
			{
				mValues.emplace_back(std::forward<Args>(args)...);

				const std::uint64_t h = hash_of(key_of(mValues.back()));

				grow_for(mValues.size());

				const std::size_t i = probe(key_of(mValues.back()), h);

				if (mSlots[i] != Empty)
				{
					mValues.pop_back();
					return { begin() + static_cast<difference_type>(mSlots[i] - 1), false };
				}
				mHashes.push_back(h);
				mSlots[i] = static_cast<std::uint32_t>(mValues.size());
				return { begin() + static_cast<difference_type>(mValues.size() - 1), true };
			}

			void erase_pos(std::size_t pos)
			{
				// Backward-shift deletion of the slot pointing at pos.
				std::size_t hole = slot_of(pos);
				std::size_t next = (hole + 1) & mask();

				while (mSlots[next] != Empty)
				{
					const std::size_t home = static_cast<std::size_t>(mHashes[mSlots[next] - 1]) & mask();

					// Move the entry at next into the hole unless its home lies
					// cyclically in (hole, next].
					if (((next - home) & mask()) >= ((next - hole) & mask()))
					{
						mSlots[hole] = mSlots[next];
						hole        = next;
					}
					next = (next + 1) & mask();
				}
				mSlots[hole] = Empty;

				// Move the last value into the erased position.
				const std::size_t last = mValues.size() - 1;

				if (pos != last)
				{
					mSlots[slot_of(last)] = static_cast<std::uint32_t>(pos + 1);
					mValues[pos]          = std::move(mValues[last]);
					mHashes[pos]          = mHashes[last];
				}
				mValues.pop_back();
				mHashes.pop_back();
			}

		public:
			table() = default;

			explicit table(
			  size_type bucketCount,
			  const Hash& hash        = Hash(),
			  const KeyEqual& equal   = KeyEqual(),
			  const Allocator& alloc = Allocator())
			  : mValues(alloc), mHash(hash), mEqual(equal)
			{
				reserve(bucketCount);
			}

			template<class InputIt>
			table(
			  InputIt first,
			  InputIt last,
			  size_type bucketCount   = 0,
			  const Hash& hash        = Hash(),
			  const KeyEqual& equal   = KeyEqual(),
			  const Allocator& alloc = Allocator())
			  : table(bucketCount, hash, equal, alloc)
			{
				insert(first, last);
			}

			table(
			  std::initializer_list<value_type> init,
			  size_type bucketCount   = 0,
			  const Hash& hash        = Hash(),
			  const KeyEqual& equal   = KeyEqual(),
			  const Allocator& alloc = Allocator())
			  : table(bucketCount, hash, equal, alloc)
			{
				insert(init);
			}

			table& operator=(std::initializer_list<value_type> init)
			{
				clear();
				insert(init);
				return *this;
			}

			allocator_type get_allocator() const noexcept
			{
				return mValues.get_allocator();
			}

			// Iterators.

			iterator begin() noexcept
			{
				return mValues.begin();
			}
			const_iterator begin() const noexcept
			{
				return mValues.begin();
			}
			const_iterator cbegin() const noexcept
			{
				return mValues.cbegin();
			}
			iterator end() noexcept
			{
				return mValues.end();
			}
			const_iterator end() const noexcept
			{
				return mValues.end();
			}
			const_iterator cend() const noexcept
			{
				return mValues.cend();
			}

			// Capacity.

			[[nodiscard]] bool empty() const noexcept
			{
				return mValues.empty();
			}
			size_type size() const noexcept
			{
				return mValues.size();
			}
			size_type max_size() const noexcept
			{
				return std::size_t{ UINT32_MAX } - 1;
			}

			// Modifiers.

			void clear() noexcept
			{
				mValues.clear();
				mHashes.clear();
				mSlots.clear();
			}

			std::pair<iterator, bool> insert(const value_type& value)
			{
				return emplace_back_unique(value);
			}
			std::pair<iterator, bool> insert(value_type&& value)
			{
				return emplace_back_unique(std::move(value));
			}
			template<
			  class P,
			  bool M = is_map,
			  class  = std::enable_if_t<M && std::is_constructible_v<value_type, P&&>>>
			std::pair<iterator, bool> insert(P&& value)
			{
				return emplace_back_unique(std::forward<P>(value));
			}
			iterator insert(const_iterator /*hint*/, const value_type& value)
			{
				return insert(value).first;
			}
			iterator insert(const_iterator /*hint*/, value_type&& value)
			{
				return insert(std::move(value)).first;
			}
			template<class InputIt>
			void insert(InputIt first, InputIt last)
			{
				for (; first != last; ++first)
					emplace_back_unique(*first);
			}
			void insert(std::initializer_list<value_type> init)
			{
				insert(init.begin(), init.end());
			}

			template<class... Args>
			std::pair<iterator, bool> emplace(Args&&... args)
			{
				return emplace_back_unique(std::forward<Args>(args)...);
			}
			template<class... Args>
			iterator emplace_hint(const_iterator /*hint*/, Args&&... args)
			{
				return emplace(std::forward<Args>(args)...).first;
			}

			template<class... Args, bool M = is_map, class = std::enable_if_t<M>>
			std::pair<iterator, bool> try_emplace(const Key& key, Args&&... args)
			{
				const std::size_t pos = find_pos(key);

				if (pos != mValues.size())
					return { begin() + static_cast<difference_type>(pos), false };
				return emplace_back_unique(
				  std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple(std::forward<Args>(args)...));
			}
			template<class... Args, bool M = is_map, class = std::enable_if_t<M>>
			std::pair<iterator, bool> try_emplace(Key&& key, Args&&... args)
			{
				const std::size_t pos = find_pos(key);

				if (pos != mValues.size())
					return { begin() + static_cast<difference_type>(pos), false };
				return emplace_back_unique(
				  std::piecewise_construct,
				  std::forward_as_tuple(std::move(key)),
				  std::forward_as_tuple(std::forward<Args>(args)...));
			}
			template<class... Args, bool M = is_map, class = std::enable_if_t<M>>
			iterator try_emplace(const_iterator /*hint*/, const Key& key, Args&&... args)
			{
				return try_emplace(key, std::forward<Args>(args)...).first;
			}
			template<class... Args, bool M = is_map, class = std::enable_if_t<M>>
			iterator try_emplace(const_iterator /*hint*/, Key&& key, Args&&... args)
			{
				return try_emplace(std::move(key), std::forward<Args>(args)...).first;
			}

			template<class M, bool IsMap = is_map, class = std::enable_if_t<IsMap>>
			std::pair<iterator, bool> insert_or_assign(const Key& key, M&& obj)
			{
				auto result = try_emplace(key, std::forward<M>(obj));

				if (!result.second)
					result.first->second = std::forward<M>(obj);
				return result;
			}
			template<class M, bool IsMap = is_map, class = std::enable_if_t<IsMap>>
			std::pair<iterator, bool> insert_or_assign(Key&& key, M&& obj)
			{
				auto result = try_emplace(std::move(key), std::forward<M>(obj));

				if (!result.second)
					result.first->second = std::forward<M>(obj);
				return result;
			}

			// The returned iterator points at the same position, which now holds
			// what was the last value (or is end()).
			iterator erase(const_iterator it)
			{
				const std::size_t pos = static_cast<std::size_t>(it - cbegin());

				erase_pos(pos);
				return begin() + static_cast<difference_type>(pos);
			}
			template<bool M = is_map, class = std::enable_if_t<M>>
			iterator erase(iterator it)
			{
				return erase(const_iterator(it));
			}
			iterator erase(const_iterator first, const_iterator last)
			{
				const std::size_t from = static_cast<std::size_t>(first - cbegin());
				std::size_t count       = static_cast<std::size_t>(last - first);

				// Erase from the back of the range so that moved-in values (from
				// the end of the vector) do not land inside it.
				while (count > 0)
				{
					--count;
					erase_pos(from + count);
				}
				return begin() + static_cast<difference_type>(from);
			}
			size_type erase(const Key& key)
			{
				const std::size_t pos = find_pos(key);

				if (pos == mValues.size())
					return 0;
				erase_pos(pos);
				return 1;
			}

			void swap(table& other) noexcept
			{
				using std::swap;
				swap(mValues, other.mValues);
				swap(mHashes, other.mHashes);
				swap(mSlots, other.mSlots);
				swap(mHash, other.mHash);
				swap(mEqual, other.mEqual);
			}

			// Lookup.

			template<class Q = T, class = std::enable_if_t<!std::is_void_v<Q>>>
			Q& at(const Key& key)
			{
				const std::size_t pos = find_pos(key);

				if (pos == mValues.size())
					throw std::out_of_range("ankerl::unordered_dense::map::at(): key not found");
				return mValues[pos].second;
			}
			template<class Q = T, class = std::enable_if_t<!std::is_void_v<Q>>>
			const Q& at(const Key& key) const
			{
				const std::size_t pos = find_pos(key);

				if (pos == mValues.size())
					throw std::out_of_range("ankerl::unordered_dense::map::at(): key not found");
				return mValues[pos].second;
			}
			template<class Q = T, class = std::enable_if_t<!std::is_void_v<Q>>>
			Q& operator[](const Key& key)
			{
				return try_emplace(key).first->second;
			}
			template<class Q = T, class = std::enable_if_t<!std::is_void_v<Q>>>
			Q& operator[](Key&& key)
			{
				return try_emplace(std::move(key)).first->second;
			}

			size_type count(const Key& key) const
			{
				return find_pos(key) == mValues.size() ? 0 : 1;
			}
			iterator find(const Key& key)
			{
				return begin() + static_cast<difference_type>(find_pos(key));
			}
			const_iterator find(const Key& key) const
			{
				return begin() + static_cast<difference_type>(find_pos(key));
			}
			bool contains(const Key& key) const
			{
				return find_pos(key) != mValues.size();
			}
			std::pair<iterator, iterator> equal_range(const Key& key)
			{
				const auto it = find(key);

				return { it, it == end() ? it : std::next(it) };
			}
			std::pair<const_iterator, const_iterator> equal_range(const Key& key) const
			{
				const auto it = find(key);

				return { it, it == end() ? it : std::next(it) };
			}

			// Buckets and hash policy.

			size_type bucket_count() const noexcept
			{
				return mSlots.size();
			}
			float load_factor() const noexcept
			{
				return mSlots.empty() ? 0.0F : static_cast<float>(mValues.size()) / static_cast<float>(mSlots.size());
			}
			float max_load_factor() const noexcept
			{
				return 0.8F;
			}
			void rehash(size_type count)
			{
				const std::size_t wanted = slots_for(std::max(count, mValues.size()));

				if (wanted != mSlots.size())
					rebuild(wanted);
			}
			void reserve(size_type count)
			{
				mValues.reserve(count);
				mHashes.reserve(count);
				grow_for(count);
			}

			// Observers.

			hasher hash_function() const
			{
				return mHash;
			}
			key_equal key_eq() const
			{
				return mEqual;
			}
			const value_container_type& values() const noexcept
			{
				return mValues;
			}

			friend bool operator==(const table& a, const table& b)
			{
				if (a.size() != b.size())
					return false;
				for (const auto& value : a)
				{
					const auto it = b.find(key_of(value));

					if (it == b.end())
						return false;
					if constexpr (is_map)
					{
						if (!(it->second == value.second))
							return false;
					}
				}
				return true;
			}
			friend bool operator!=(const table& a, const table& b)
			{
				return !(a == b);
			}
		};
	} // namespace detail

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<Key, T>>>
	using map = detail::table<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = detail::table<Key, void, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif

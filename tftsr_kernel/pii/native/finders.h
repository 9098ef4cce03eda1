// Hand-written searches for some catalog patterns, in place of RE2 (matcher.cpp's search loop): dense ones, and
// ones without a literal that were dear in the structural prefilter's Hyperscan pass. A pattern with a finder is
// left out of that pass (prefilter.py): its finder, which reads little of the text, searches all of it.
//
// A finder answers what RE2::Match(text, pos, rend, UNANCHORED) answers for its pattern: the leftmost match,
// resolved leftmost-first with greedy, backtracking quantifiers, inside [pos, rend) while ``^``, ``$`` and the
// characters around it see the whole text. ``data`` is UTF-8 (PreparedText.data). A finder is picked by the
// exact pattern source, so a pattern edited in the catalog simply goes back to RE2 (and a test names the
// finder to update).
#pragma once

#include <cstddef>

namespace tftsr {

struct Found {
    size_t ms, me;  // the match
    size_t vs, ve;  // its value group (?P<v>...), or the match when the pattern has none
};

using Finder = bool (*)(const unsigned char* data, size_t n, size_t pos, size_t rend, Found* found);

// the finder of exactly this pattern source, else nullptr
Finder finder_for(const char* pattern, size_t len);

// the pattern source of the i-th finder, nullptr past the last
const char* finder_pattern(size_t i);

}  // namespace tftsr

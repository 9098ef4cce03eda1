// The keyword validators of tftsr_kernel.pii.validators in C++, for ASCII text: check_secret_value
// ("secret_value"), check_generic_secret ("entropy") and check_api_key ("api_key"), with all they call.
// Each answers exactly what its Python namesake answers (tests compare the two): false to drop a candidate,
// or true with the value's bounds in *start / *end.
#pragma once

#include <cstddef>
#include <string>

namespace tftsr {

bool secret_value(const unsigned char* text, size_t n, size_t* start, size_t* end);
bool generic_secret(const unsigned char* text, size_t n, size_t* start, size_t* end);
bool api_key(const unsigned char* text, size_t n, size_t* start, size_t* end);

// replace the word list ``name`` (_PLACEHOLDER_STARTS or _PLACEHOLDER_ENDS) with ``words``; false for another name
bool set_keyvalue_words(const std::string& name, const std::string* words, size_t count);

// whether both word lists are set (and the patterns compiled)
bool keyvalue_ready();

}  // namespace tftsr

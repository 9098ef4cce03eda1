// Validators of tftsr_kernel.pii.validators, in C++, for ASCII text (bytes are characters there).
//
// Each one answers exactly what its Python namesake answers (the reference; tests compare the two on
// generated text): false to drop a candidate, or true with the value's bounds in *start / *end.
// The word lists are the Python module's own, handed over once by set_words().
#pragma once

#include <cstddef>
#include <string>

namespace tftsr {

enum Check { NONE = 0, IPV4, LUHN, USERNAME, HOSTNAME, HOST_LABEL, SYSLOG_HOST, VENDOR_KEY, ENTROPY, API_KEY,
            SECRET_VALUE, CHECK_COUNT };

// replace the word list ``name`` (a known list, here or in keyvalue.h) with ``words``; false for an unknown name
bool set_words(const std::string& name, const std::string* words, size_t count);

bool words_ready();

bool run_check(Check check, const unsigned char* text, size_t n, size_t* start, size_t* end);

}  // namespace tftsr

// A C API over Google's libphonenumber (Debian's libphonenumber-dev, C++), so that Swift
// calls one plain function and never sees C++ types.
#include "intake_phone.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstring>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static void copy(char *destination, size_t capacity, const std::string &text) {
    size_t length = text.size() < capacity - 1 ? text.size() : capacity - 1;
    std::memcpy(destination, text.data(), length);
    destination[length] = 0;
}

extern "C" int intake_phone_parse(const char *utf8, const char *region, intake_phone_result *out) {
    std::memset(out, 0, sizeof *out);
    const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(utf8, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return 0;
    if (!util->IsValidNumber(number)) return 0;
    std::string e164;
    util->Format(number, PhoneNumberUtil::E164, &e164);
    copy(out->e164, sizeof out->e164, e164);
    if (number.has_extension()) copy(out->extension, sizeof out->extension, number.extension());
    out->valid = 1;
    return 1;
}

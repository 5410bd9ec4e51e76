#ifndef INTAKE_PHONE_H
#define INTAKE_PHONE_H

#ifdef __cplusplus
extern "C" {
#endif

/// What Google's libphonenumber makes of one number.
typedef struct {
    /// 1 when libphonenumber parsed the text and calls the number valid (IsValidNumber).
    int valid;
    /// The E.164 form (`+862288839428`) when valid; empty otherwise.
    char e164[24];
    /// The extension libphonenumber found (`ext. 8001`, `x8001`, `#8001`); empty when none.
    char extension[24];
} intake_phone_result;

/// Parses `utf8` with `region` (ISO 3166 code, e.g. "CN") as the default region.
/// Thread-safe: libphonenumber's PhoneNumberUtil is a thread-safe singleton.
/// Returns `out->valid`.
int intake_phone_parse(const char *utf8, const char *region, intake_phone_result *out);

#ifdef __cplusplus
}
#endif

#endif

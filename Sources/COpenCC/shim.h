// OpenCC's C API (Debian's libopencc-dev): opencc_open, opencc_convert_utf8.
#include <opencc/opencc.h>

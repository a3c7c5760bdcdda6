/* Checks that the header's version macros agree with the library's runtime version. */
#include <stdio.h>
#include <string.h>

#include "tcc.h"

int main(void)
{
    unsigned long expected = TCC_VERSION_MAJOR * 1000000UL + TCC_VERSION_MINOR * 1000UL
                             + TCC_VERSION_PATCH;

    printf("%s %lu\n", TCC_VERSION_STRING, (unsigned long)TCC_VERSION_NUMBER);
    if (expected != TCC_VERSION_NUMBER || tcc_version_number() != TCC_VERSION_NUMBER)
        return 1;
    if (strcmp(tcc_version(), TCC_VERSION_STRING) != 0)
        return 2;
    return 0;
}

// The header must compile as C++ (extern "C", no clashes) and link.
#include <cstdio>
#include <string>

#include "tcc.h"

int main()
{
    tcc_options *options = nullptr;
    if (tcc_options_new(&options) != TCC_OK)
        return 1;
    tcc_client *client = nullptr;
    tcc_result code = tcc_client_new(options, &client);  // no endpoint: a configuration error
    tcc_options_free(options);
    if (code != TCC_ERR_CONFIG || client != nullptr)
        return 2;
    std::string message = tcc_last_error_message();
    std::printf("%s: %s\n", tcc_result_str(code), message.c_str());
    return message.empty() ? 3 : 0;
}

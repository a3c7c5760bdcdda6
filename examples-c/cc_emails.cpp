// cc_emails.cpp: the C example (cc_emails.c) again, in C++17 with tcc.hpp:
// prints the CC e-mail addresses a Huawei Cloud account uses on its service
// tickets.
//
// Configuration comes from the environment:
//   TCC_ENDPOINT   base URL, e.g. https://osm.cn-south-1.myhuaweicloud.com
//   TCC_REGION     or a known region instead: cn-south-1, ap-southeast-3
//   TCC_TOKEN      a domain-scoped IAM token (X-Auth-Token)
//   TCC_LANGUAGE   optional, e.g. en-us
//   TCC_OUTPUT     "json" to print the normalised JSON instead of text
//
// Exit status: 0 success, 1 the call failed, 2 bad configuration.
//
// Build: c++ -std=c++17 cc_emails.cpp $(pkg-config --cflags --libs tcc) -o cc_emails_cpp

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "tcc.hpp"

namespace {

void print_field(const char *label, const std::optional<std::string> &value)
{
    std::cout << "  " << label << ' ' << value.value_or("(none)") << '\n';
}

void print_error(const tcc::Error &error)
{
    std::cerr << "cc_emails_cpp: " << error.code_str() << " (code " << error.code() << ")\n"
              << "  message:     " << error.what() << '\n';
    if (error.http_status() != 0)
        std::cerr << "  HTTP status: " << error.http_status() << '\n';
    if (error.service_code())
        std::cerr << "  error_code:  " << *error.service_code() << '\n';
    if (error.service_message())
        std::cerr << "  error_msg:   " << *error.service_message() << '\n';
    if (error.request_id())
        std::cerr << "  request id:  " << *error.request_id() << '\n';
}

tcc::Options options_from_env()
{
    tcc::Options options;
    if (const char *region = std::getenv("TCC_REGION"))
        options.set_region(region);
    if (const char *endpoint = std::getenv("TCC_ENDPOINT"))
        options.set_endpoint(endpoint);
    if (const char *token = std::getenv("TCC_TOKEN"))
        options.set_token(token);
    if (const char *language = std::getenv("TCC_LANGUAGE"))
        options.set_language(language);
    return options;
}

} // namespace

int main()
{
    const char *output = std::getenv("TCC_OUTPUT");
    std::optional<tcc::Client> client;
    try {
        client.emplace(options_from_env());
    } catch (const tcc::Error &error) {
        print_error(error);
        return 2;
    }

    try {
        if (output != nullptr && std::string(output) == "json") {
            std::cout << client->fetch_cc_emails_json() << '\n';
            return 0;
        }
        const tcc::CcEmails cc = client->fetch_cc_emails();
        std::cout << "CC e-mail addresses (" << cc.addresses.size() << "):\n";
        for (const std::string &address : cc.addresses)
            std::cout << "  " << address << '\n';
        if (cc.last_record) {
            std::cout << "Last CC record:\n";
            print_field("user_id:    ", cc.last_record->user_id);
            print_field("customer_id:", cc.last_record->customer_id);
            print_field("cc_email:   ", cc.last_record->cc_email);
        } else {
            std::cout << "Last CC record: (none)\n";
        }
    } catch (const tcc::Error &error) {
        print_error(error);
        return 1;
    }
    return 0;
}

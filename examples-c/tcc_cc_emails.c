/*
 * tcc-cc-emails: the CC e-mail addresses of a Huawei Cloud account's service
 * tickets (OSM "Querying Service Ticket CC"), for shell scripts and legacy
 * tools that can run a program but not load a library.
 *
 *   tcc-cc-emails           one address per line on stdout
 *   tcc-cc-emails --json    the normalised JSON on one line
 *
 * Configuration and credentials come only from the environment, read by
 * tcc_options_new_from_env (see --help): nothing secret is ever taken from
 * the command line, where other users could read it in the process list.
 *
 * Exit status, a stable interface (scripts may rely on it; a value is never
 * reused for another meaning, new ones may be added):
 *    0  success (also for zero addresses: stdout is then empty)
 *    1  any other failure: a result code this program does not know (from a
 *       newer libtcc), or stdout could not be written
 *    2  usage or configuration: bad command line, or TCC_ERR_CONFIG (no
 *       endpoint, no credentials, unreadable CA file), or a libtcc whose
 *       ABI differs from the header this program was built with
 *    3  TCC_ERR_INVALID_ARGUMENT: an environment variable has a bad value
 *   10  TCC_ERR_NETWORK            20  TCC_ERR_AUTH       30  TCC_ERR_BAD_RESPONSE
 *   11  TCC_ERR_TIMEOUT            21  TCC_ERR_THROTTLED  31  TCC_ERR_RESPONSE_TOO_LARGE
 *   12  TCC_ERR_TLS                22  TCC_ERR_SERVER     99  TCC_ERR_INTERNAL
 *                                  23  TCC_ERR_SERVICE
 *                                  24  TCC_ERR_HTTP
 * From 10 on, the exit status is the tcc_result code itself (codes are never
 * renumbered), so it can be looked up in tcc.h.
 *
 * On failure, stderr gets one line "tcc-cc-emails: <class>: <message>" (the
 * class is tcc_result_str(code), e.g. "server error"), then
 * one "tcc-cc-emails: key=value" line for each detail tcc has: http_status,
 * error_code, error_msg, request_id (quote it to Huawei Cloud support).
 * Credentials never appear in any message.
 *
 * Output: every address on a line of its own; a control character inside
 * an address (which would break that) is printed as '?'.
 */
#include <stdio.h>
#include <string.h>

#include "tcc.h"

#define PROGRAM "tcc-cc-emails"

static const char USAGE[] =
    "usage: " PROGRAM " [--json]\n"
    "       " PROGRAM " --help | --version\n"
    "\n"
    "Prints the CC e-mail addresses a Huawei Cloud account uses on its service\n"
    "tickets (OSM GET /v2/servicerequest/carbon-copy-emails), one per line, or\n"
    "with --json the normalised JSON:\n"
    "  {\"cc_email_info\":{\"user_id\":...,\"customer_id\":...,\"cc_email\":...}|null,\n"
    "   \"mc_email_infos\":[...]}\n"
    "\n"
    "Environment (an empty variable counts as unset):\n"
    "  TCC_ENDPOINT or TCC_REGION    base URL, or cn-south-1 / ap-southeast-3\n"
    "  credentials, the first complete set wins:\n"
    "    HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   access key (optional:\n"
    "      HUAWEICLOUD_SDK_DOMAIN_ID, HUAWEICLOUD_SDK_SECURITY_TOKEN)\n"
    "    TCC_IAM_USER, TCC_IAM_PASSWORD, TCC_IAM_DOMAIN   IAM user\n"
    "    TCC_TOKEN                     a domain-scoped IAM token\n"
    "  optional: HUAWEICLOUD_SDK_IAM_ENDPOINT, TCC_LANGUAGE (e.g. en-us),\n"
    "    TCC_TIME_ZONE (e.g. GMT+8), TCC_SITE (0 China, 1 international),\n"
    "    TCC_CA_FILE (PEM file of CA certificates to trust)\n"
    "\n"
    "Exit status:\n"
    "   0 success                      20 authentication/authorisation (HTTP 401/403)\n"
    "   1 other failure                21 throttled (HTTP 429)\n"
    "   2 usage or configuration       22 server error (HTTP 5xx)\n"
    "   3 invalid environment value    23 service error (error_code in the body)\n"
    "  10 network                      24 unexpected HTTP status\n"
    "  11 timeout                      30 bad response\n"
    "  12 TLS                          31 response too large\n"
    "                                  99 internal error in libtcc\n"
    "On failure, stderr has the message, then key=value lines: http_status,\n"
    "error_code, error_msg, request_id.\n";

/* The exit status for a tcc_result: see the table at the top of this file. */
static int exit_status(tcc_result code)
{
    switch (code) {
    case TCC_ERR_CONFIG:
        return 2;
    case TCC_ERR_INVALID_ARGUMENT:
        return 3;
    case TCC_ERR_NETWORK:
    case TCC_ERR_TIMEOUT:
    case TCC_ERR_TLS:
    case TCC_ERR_AUTH:
    case TCC_ERR_THROTTLED:
    case TCC_ERR_SERVER:
    case TCC_ERR_SERVICE:
    case TCC_ERR_HTTP:
    case TCC_ERR_BAD_RESPONSE:
    case TCC_ERR_RESPONSE_TOO_LARGE:
    case TCC_ERR_INTERNAL:
        return (int)code;
    default:
        return 1;
    }
}

/* Reports the failure that just happened on this thread; returns its exit status. */
static int fail(tcc_result code)
{
    const char *service_code = tcc_last_error_service_code();
    const char *service_message = tcc_last_error_service_message();
    const char *request_id = tcc_last_error_request_id();
    unsigned http_status = tcc_last_error_http_status();

    fprintf(stderr, PROGRAM ": %s: %s\n", tcc_result_str(code), tcc_last_error_message());
    if (http_status != 0)
        fprintf(stderr, PROGRAM ": http_status=%u\n", http_status);
    if (service_code != NULL)
        fprintf(stderr, PROGRAM ": error_code=%s\n", service_code);
    if (service_message != NULL)
        fprintf(stderr, PROGRAM ": error_msg=%s\n", service_message);
    if (request_id != NULL)
        fprintf(stderr, PROGRAM ": request_id=%s\n", request_id);
    return exit_status(code);
}

/* Prints one address on one line, whatever bytes it holds. */
static void print_line(const char *text)
{
    const unsigned char *p;

    for (p = (const unsigned char *)text; *p != '\0'; p++)
        putchar(*p < 0x20 || *p == 0x7f ? '?' : *p);
    putchar('\n');
}

static int print_addresses(const tcc_client *client)
{
    tcc_cc_emails *result = NULL;
    tcc_result code = tcc_fetch_cc_emails(client, &result);
    size_t i, count;

    if (code != TCC_OK)
        return fail(code);
    count = tcc_cc_emails_count(result);
    for (i = 0; i < count; i++)
        print_line(tcc_cc_emails_address(result, i));
    tcc_cc_emails_free(result);
    return 0;
}

static int print_json(const tcc_client *client)
{
    char *json = NULL;
    tcc_result code = tcc_fetch_cc_emails_json(client, &json);

    if (code != TCC_OK)
        return fail(code);
    puts(json);
    tcc_free(json);
    return 0;
}

/* The part of the version that must match for the ABI to match: 0.MINOR during 0.x, else MAJOR. */
static unsigned long abi_version(unsigned long number)
{
    return number < 1000000UL ? number / 1000UL : number / 1000000UL * 1000UL;
}

int main(int argc, char **argv)
{
    tcc_options *options = NULL;
    tcc_client *client = NULL;
    tcc_result code;
    int json = 0, status, i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return fflush(stdout) == 0 ? 0 : 1;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf(PROGRAM " %s (libtcc %s)\n", TCC_VERSION_STRING, tcc_version());
            return fflush(stdout) == 0 ? 0 : 1;
        } else {
            fprintf(stderr, PROGRAM ": unknown argument: %s\n\n%s", argv[i], USAGE);
            return 2;
        }
    }
    if (abi_version(tcc_version_number()) != abi_version(TCC_VERSION_NUMBER)) {
        fprintf(stderr, PROGRAM ": built for libtcc %s but loaded libtcc %s\n",
                TCC_VERSION_STRING, tcc_version());
        return 2;
    }

    code = tcc_options_new_from_env(&options);
    if (code != TCC_OK)
        return fail(code);
    code = tcc_client_new(options, &client);
    tcc_options_free(options); /* the client keeps its own copy */
    if (code != TCC_OK)
        return fail(code);

    status = json ? print_json(client) : print_addresses(client);
    tcc_client_free(client);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROGRAM ": cannot write to standard output\n");
        return status != 0 ? status : 1;
    }
    return status;
}

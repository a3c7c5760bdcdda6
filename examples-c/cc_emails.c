/*
 * cc_emails: prints the CC e-mail addresses that a Huawei Cloud account
 * uses on its service tickets, through tcc.
 *
 * Configuration comes from the environment:
 *   TCC_ENDPOINT   base URL, e.g. https://osm.cn-south-1.myhuaweicloud.com
 *   TCC_REGION     or a known region instead: cn-south-1, ap-southeast-3
 *   TCC_TOKEN      a domain-scoped IAM token (X-Auth-Token)
 *   TCC_LANGUAGE   optional, e.g. en-us
 *   TCC_TIME_ZONE  optional, e.g. GMT+8
 *   TCC_SITE       optional, 0 (China) or 1 (international)
 *   TCC_CA_FILE    optional PEM file of CA certificates to trust
 *   TCC_OUTPUT     "json" to print the normalised JSON instead of text
 *
 * Exit status: 0 success, 1 the call failed, 2 bad configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcc.h"

/* Prints everything tcc knows about the failure that just happened on this thread. */
static void print_error(const char *what, tcc_result code)
{
    const char *service_code = tcc_last_error_service_code();
    const char *service_message = tcc_last_error_service_message();
    const char *request_id = tcc_last_error_request_id();

    fprintf(stderr, "cc_emails: %s failed: %s (code %u)\n", what, tcc_result_str(code),
            (unsigned)code);
    fprintf(stderr, "  message:     %s\n", tcc_last_error_message());
    if (tcc_last_error_http_status() != 0)
        fprintf(stderr, "  HTTP status: %u\n", (unsigned)tcc_last_error_http_status());
    if (service_code != NULL)
        fprintf(stderr, "  error_code:  %s\n", service_code);
    if (service_message != NULL)
        fprintf(stderr, "  error_msg:   %s\n", service_message);
    if (request_id != NULL)
        fprintf(stderr, "  request id:  %s\n", request_id);
}

/* Applies one optional string setting from the environment. */
static int set_from_env(tcc_options *options, const char *name,
                        tcc_result (*setter)(tcc_options *, const char *))
{
    const char *value = getenv(name);
    tcc_result code;

    if (value == NULL)
        return 1;
    code = setter(options, value);
    if (code != TCC_OK) {
        print_error(name, code);
        return 0;
    }
    return 1;
}

static tcc_client *client_from_env(void)
{
    tcc_options *options = NULL;
    tcc_client *client = NULL;
    const char *site = getenv("TCC_SITE");
    tcc_result code;
    int ok;

    if (getenv("TCC_ENDPOINT") == NULL && getenv("TCC_REGION") == NULL) {
        fprintf(stderr, "cc_emails: set TCC_ENDPOINT (or TCC_REGION) and TCC_TOKEN\n");
        return NULL;
    }
    code = tcc_options_new(&options);
    if (code != TCC_OK) {
        print_error("tcc_options_new", code);
        return NULL;
    }
    ok = set_from_env(options, "TCC_REGION", tcc_options_set_region)
         && set_from_env(options, "TCC_ENDPOINT", tcc_options_set_endpoint)
         && set_from_env(options, "TCC_TOKEN", tcc_options_set_token)
         && set_from_env(options, "TCC_LANGUAGE", tcc_options_set_language)
         && set_from_env(options, "TCC_TIME_ZONE", tcc_options_set_time_zone)
         && set_from_env(options, "TCC_CA_FILE", tcc_options_set_ca_file);
    if (ok && site != NULL) {
        code = tcc_options_set_site(options, atoi(site));
        if (code != TCC_OK) {
            print_error("TCC_SITE", code);
            ok = 0;
        }
    }
    if (ok) {
        code = tcc_client_new(options, &client);
        if (code != TCC_OK)
            print_error("tcc_client_new", code);
    }
    tcc_options_free(options); /* the client keeps its own copy */
    return client;
}

static void print_field(const char *label, const char *value)
{
    printf("  %-12s %s\n", label, value != NULL ? value : "(none)");
}

static int print_text(const tcc_client *client)
{
    tcc_cc_emails *result = NULL;
    tcc_result code = tcc_fetch_cc_emails(client, &result);
    size_t i, count;

    if (code != TCC_OK) {
        print_error("tcc_fetch_cc_emails", code);
        return 1;
    }
    count = tcc_cc_emails_count(result);
    printf("CC e-mail addresses (%lu):\n", (unsigned long)count);
    for (i = 0; i < count; i++)
        printf("  %s\n", tcc_cc_emails_address(result, i));
    if (tcc_cc_emails_has_last_record(result)) {
        printf("Last CC record:\n");
        print_field("user_id:", tcc_cc_emails_last_user_id(result));
        print_field("customer_id:", tcc_cc_emails_last_customer_id(result));
        print_field("cc_email:", tcc_cc_emails_last_cc_email(result));
    } else {
        printf("Last CC record: (none)\n");
    }
    tcc_cc_emails_free(result);
    return 0;
}

static int print_json(const tcc_client *client)
{
    char *json = NULL;
    tcc_result code = tcc_fetch_cc_emails_json(client, &json);

    if (code != TCC_OK) {
        print_error("tcc_fetch_cc_emails_json", code);
        return 1;
    }
    printf("%s\n", json);
    tcc_free(json);
    return 0;
}

int main(void)
{
    const char *output = getenv("TCC_OUTPUT");
    tcc_client *client;
    int status;

    /* A program built against one header may load another libtcc. */
    if (tcc_version_number() / 1000000 != TCC_VERSION_MAJOR) {
        fprintf(stderr, "cc_emails: built for tcc %s but loaded tcc %s\n", TCC_VERSION_STRING,
                tcc_version());
        return 2;
    }
    client = client_from_env();
    if (client == NULL)
        return 2;
    if (output != NULL && strcmp(output, "json") == 0)
        status = print_json(client);
    else
        status = print_text(client);
    tcc_client_free(client);
    return status;
}

/*
 * cc_emails: prints the CC e-mail addresses that a Huawei Cloud account
 * uses on its service tickets, through tcc.
 *
 * Configuration comes from the environment (tcc_options_new_from_env):
 *   TCC_ENDPOINT   base URL, e.g. https://osm.cn-south-1.myhuaweicloud.com
 *   TCC_REGION     or a known region instead: cn-south-1, ap-southeast-3
 * and credentials, the first of these that is set:
 *   HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   an access key pair, with the optional
 *     HUAWEICLOUD_SDK_DOMAIN_ID              account id (else looked up from IAM) and
 *     HUAWEICLOUD_SDK_SECURITY_TOKEN         security token of a temporary key pair
 *   TCC_IAM_USER, TCC_IAM_PASSWORD, TCC_IAM_DOMAIN
 *                  an IAM user, its password and its account name
 *   TCC_TOKEN      a domain-scoped IAM token (X-Auth-Token)
 * and optionally:
 *   HUAWEICLOUD_SDK_IAM_ENDPOINT  IAM's URL (default https://iam.myhuaweicloud.com)
 *   TCC_LANGUAGE   e.g. en-us
 *   TCC_TIME_ZONE  e.g. GMT+8
 *   TCC_SITE       0 (China) or 1 (international)
 *   TCC_CA_FILE    PEM file of CA certificates to trust
 *   TCC_TRUST_STORE  "bundled" (default) or "system" (SSL_CERT_FILE or the OS bundle)
 *   TCC_CONNECT_TIMEOUT_MS, TCC_STALL_TIMEOUT_MS, TCC_TIMEOUT_MS
 *                  connect timeout, longest silence, whole-call deadline
 *   TCC_MAX_ATTEMPTS   attempts per request, 1 (no retries) to 10 (default 3)
 *   TCC_MAX_REDIRECTS  same-origin redirects to follow, 0 (default) to 10
 *   TCC_PROXY      an http:// proxy; without it https_proxy, http_proxy,
 *                  ALL_PROXY and NO_PROXY apply as curl reads them
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
    if (tcc_last_error_attempts() > 1)
        fprintf(stderr, "  attempts:    %u\n", (unsigned)tcc_last_error_attempts());
}

/*
 * Reports a failure of tcc_options_new_from_env under the name of the
 * variable at fault, which its message starts with ("TCC_SITE: ...").
 */
static void print_env_error(tcc_result code)
{
    const char *message = tcc_last_error_message();
    size_t len = strspn(message, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_, ");
    char what[160];

    if (len > 0 && len < sizeof what && message[len] == ':') {
        memcpy(what, message, len);
        what[len] = '\0';
    } else {
        strcpy(what, "tcc_options_new_from_env");
    }
    print_error(what, code);
}

static tcc_client *client_from_env(void)
{
    tcc_options *options = NULL;
    tcc_client *client = NULL;
    tcc_result code = tcc_options_new_from_env(&options);

    if (code != TCC_OK) {
        print_env_error(code);
        return NULL;
    }
    code = tcc_client_new(options, &client);
    if (code != TCC_OK)
        print_error("tcc_client_new", code);
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

/* The resident set of a process that does nothing but link Debian's libcurl and make one
 * request, as an agent's figures are read against it: bench/agents builds and runs it.
 *
 *   rss-floor URL    POSTs {} to URL, then prints "VmRSS RssAnon" in KiB */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t ignore(char *data, size_t size, size_t count, void *target) {
    (void)data;
    (void)target;
    return size * count;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: rss-floor URL\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, argv[1]);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, ignore);
    const CURLcode code = curl_easy_perform(easy);
    if (code != CURLE_OK) {
        fprintf(stderr, "rss-floor: %s\n", curl_easy_strerror(code));
        return 1;
    }
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    long rss = -1, anon = -1;
    while (status != NULL && fgets(line, sizeof line, status) != NULL) {
        sscanf(line, "VmRSS: %ld", &rss);
        sscanf(line, "RssAnon: %ld", &anon);
    }
    printf("%ld %ld\n", rss, anon);
    curl_easy_cleanup(easy);
    return 0;
}

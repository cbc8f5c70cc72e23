/* nginx_harness.h - Debian's nginx on loopback with the shipped
 * configuration (packaging/nginx/frontdesk-hq.conf), for the proxy test and
 * the soak bench: a self-signed certificate made with openssl, the file with
 * only its ports and certificate paths replaced (plus, for a bench whose
 * clients all come from 127.0.0.1, optional extra sed expressions), a
 * minimal nginx.conf around it in the test's directory, nginx started in the
 * foreground as a child and stopped with it. Needs harness.h first. */
#ifndef FD_TEST_NGINX_HARNESS_H
#define FD_TEST_NGINX_HARNESS_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct h_nginx {
    pid_t pid;
    int port;
    char cert[512];           /* the CA file a kiosk trusts */
};

static const char *h_nginx_bin(void)
{
    static const char *const c[] = {"/usr/sbin/nginx", "/usr/bin/nginx"};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (access(c[i], X_OK) == 0)
            return c[i];
    return NULL;
}

static int h_free_port(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int h_port_open(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Runs a shell command; its first output line into out (may be NULL). */
static int h_sh(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    if (out) {
        out[0] = '\0';
        if (fgets(out, (int)len, p))
            out[strcspn(out, "\n")] = '\0';
    }
    while (fgetc(p) != EOF)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Starts nginx with conf_src in front of frontdesk-hq on ports up1, up2
 * (the file's two upstream servers); extra_sed: more sed expressions, or
 * "". Returns 0 once it accepts connections, -1 with a line on stderr. */
static int h_nginx_start(struct h_nginx *n, const char *conf_src, int up1, int up2,
                         const char *extra_sed)
{
    const char *bin = h_nginx_bin();
    char key[512], conf[512], main_conf[512], cmd[4096], out[512];
    FILE *f;
    if (!bin)
        return -1;
    h_path(n->cert, sizeof n->cert, "cert.pem");
    h_path(key, sizeof key, "key.pem");
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
             " -keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1"
             " -addext subjectAltName=IP:127.0.0.1 2>/dev/null",
             key, n->cert);
    if (h_sh(cmd, NULL, 0) != 0) {
        fprintf(stderr, "nginx harness: openssl failed\n");
        return -1;
    }
    n->port = h_free_port();
    h_path(conf, sizeof conf, "frontdesk-hq.conf");
    snprintf(cmd, sizeof cmd,
             "sed -e 's|listen 443 ssl;|listen 127.0.0.1:%d ssl;|'"
             " -e 's|127.0.0.1:8081|127.0.0.1:%d|' -e 's|127.0.0.1:8082|127.0.0.1:%d|'"
             " -e 's|/etc/frontdesk-hq/tls/cert.pem|%s|' -e 's|/etc/frontdesk-hq/tls/key.pem|%s|'"
             " %s '%s' > '%s'",
             n->port, up1, up2, n->cert, key, extra_sed, conf_src, conf);
    if (h_sh(cmd, NULL, 0) != 0)
        return -1;
    h_path(main_conf, sizeof main_conf, "nginx.conf");
    if (!(f = fopen(main_conf, "w")))
        return -1;
    fprintf(f,
            "daemon off;\nworker_processes 1;\n%s"
            "pid %s/nginx.pid;\nerror_log %s/nginx-error.log;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  access_log off;\n  client_body_temp_path %s/body;\n"
            "  proxy_temp_path %s/proxy;\n  fastcgi_temp_path %s/fcgi;\n"
            "  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n"
            "  include %s;\n}\n",
            geteuid() == 0 ? "user root;\n" : "", h_dir, h_dir, h_dir, h_dir, h_dir, h_dir,
            h_dir, conf);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' -t -p '%s' -c '%s' 2>&1 | tail -1", bin, h_dir, main_conf);
    if (h_sh(cmd, out, sizeof out) != 0 || !strstr(out, "successful")) {
        fprintf(stderr, "nginx -t: %s\n", out);
        return -1;
    }
    n->pid = fork();
    if (n->pid == 0) {
        execl(bin, bin, "-p", h_dir, "-c", main_conf, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && !h_port_open(n->port); i++)
        usleep(50000);
    if (!h_port_open(n->port)) {
        fprintf(stderr, "nginx did not start (see %s/nginx-error.log)\n", h_dir);
        return -1;
    }
    return 0;
}

static void h_nginx_stop(struct h_nginx *n)
{
    if (n->pid > 0) {
        kill(n->pid, SIGTERM);
        waitpid(n->pid, NULL, 0);
        n->pid = 0;
    }
}

#endif

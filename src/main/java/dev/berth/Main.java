package dev.berth;

import dev.berth.cli.HealthCommand;
import dev.berth.cli.PasswdCommand;
import dev.berth.cli.PasswordInput;
import dev.berth.cli.TokenCommand;
import dev.berth.cli.WarmCommand;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.storage.StorageUnavailableException;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command line: {@code berth [--config FILE] [SUBCOMMAND ...]}; without a subcommand berth serves. */
public final class Main {
    private Main() {
    }

    /**
     * The JVM keeps a resolved name 30 s and a failed lookup 10 s; a fleet found through DNS
     * ({@code cluster.peers-dns}, looked up every two seconds) would then see a member that just became healthy half a
     * minute late and, meanwhile, fetch the keys it owns from the upstream a second time. Set before the first lookup,
     * unless the operator chose.
     */
    private static void freshNameLookups() {
        if (Security.getProperty("networkaddress.cache.ttl") == null
                && System.getProperty("sun.net.inetaddr.ttl") == null) {
            Security.setProperty("networkaddress.cache.ttl", "1");
        }
        if (System.getProperty("sun.net.inetaddr.negative.ttl") == null) {
            Security.setProperty("networkaddress.cache.negative.ttl", "0");
        }
    }

    /**
     * The JDK's HttpURLConnection, which the S3 client and a fleet's peer client use, keeps at most 5 idle connections
     * per server and closes every other one after its answer: with 20 clients reading through an instance at once, most
     * requests to the bucket then pay for a new connection on both sides (the bench's rollout used about a fifth less
     * CPU per byte with more kept). Set before the first connection, unless the operator chose.
     */
    private static void keptConnections() {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    public static void main(String[] args) {
        // Before anything logs: otherwise Helidon's first lines come out in the JDK's two-line default format.
        LogConfig.configureRuntime();
        freshNameLookups();
        keptConnections();
        Path configFile = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].equals("--version")) {
                System.out.println("berth " + Version.current());
                return;
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                usage();
                return;
            } else {
                rest.add(args[i]);
            }
        }
        if (!rest.isEmpty() && rest.getFirst().equals(WarmCommand.NAME)) {
            // A client of a running berth: no configuration of its own.
            System.exit(new WarmCommand(System.getenv(), PasswordInput.system(), System.out, System.err,
                    PasswordInput.hasTerminal()).run(rest.subList(1, rest.size())));
        }
        if (!rest.isEmpty() && rest.getFirst().equals(TokenCommand.NAME)) {
            System.exit(new TokenCommand(System.getenv(), PasswordInput.system(), System.out, System.err)
                    .run(rest.subList(1, rest.size())));
        }
        if (!rest.isEmpty() && rest.getFirst().equals(AotTraining.NAME)) {
            // Build time only (bin/aot-cache): berths of its own in a scratch directory, whatever --config says.
            System.exit(trainAheadOfTimeCache());
        }
        BerthConfig config;
        try {
            config = configFile == null ? ConfigLoader.defaults(System.getenv())
                    : ConfigLoader.load(configFile, System.getenv());
        } catch (RuntimeException e) {
            System.err.println("berth: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!rest.isEmpty()) {
            if (rest.getFirst().equals(PasswdCommand.NAME)) {
                System.exit(new PasswdCommand(config.auth().htpasswd(), Optional.ofNullable(configFile),
                        PasswordInput.system(), System.err).run(rest.subList(1, rest.size())));
            }
            if (rest.getFirst().equals(HealthCommand.NAME)) {
                System.exit(new HealthCommand(config.server(), System.out).run(rest.subList(1, rest.size())));
            }
            System.err.println("berth: unknown subcommand: " + rest.getFirst());
            usage();
            System.exit(2);
        }
        try {
            BerthServer berth = BerthServer.start(config);
            // SIGTERM: stop serving, then save what must outlive the process (the access index).
            Runtime.getRuntime().addShutdownHook(new Thread(berth::close, "berth-shutdown"));
        } catch (IllegalArgumentException e) {
            // A file the configuration names that cannot be used (htpasswd, certificate, key): a bad configuration.
            System.err.println("berth: bad configuration: " + e.getMessage());
            System.exit(2);
        } catch (StorageUnavailableException e) {
            // The store may come back: exit 1, which a supervisor (the systemd unit's Restart=) tries again.
            System.err.println("berth: " + e.getMessage());
            System.exit(1);
        } catch (StartupFailure e) {
            // A taken port or data directory: exit 2 too, so systemd treats it as a configuration to fix.
            System.err.println("berth: " + e.getMessage());
            System.exit(2);
        }
    }

    private static int trainAheadOfTimeCache() {
        try {
            return AotTraining.run();
        } catch (Exception e) {
            System.err.println("berth: " + AotTraining.NAME + ": " + e);
            return 1;
        }
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar berth.jar [--config FILE] [SUBCOMMAND]
                       java -jar berth.jar --version
                  (no subcommand)   serve the registry API in the foreground
                  passwd USER       set USER's password in the auth.htpasswd file: typed twice on a
                                    terminal, else one line of standard input
                  health            ask this host's berth for /observe/health: exit status 0 when UP
                  warm --server URL [--user USER] [--platform OS/ARCH] [--file LIST] IMAGE...
                                    have the berth at URL cache each image (every platform of an
                                    index, or one): exit status 0 when all of it is cached. The
                                    password comes from BERTH_PASSWORD, else it is asked for
                  token create --server URL [--user USER] --name NAME --repositories GLOB...
                               --actions pull,push,delete [--expires 90d]
                                    create an access token for CI (docker login -u NAME) at the
                                    berth at URL: its secret is printed once, on standard output
                  token list --server URL [--user USER]
                  token revoke --server URL [--user USER] NAME
                                    list USER's access tokens (an administrator's: all), or revoke one

                Without --config, every key has its default (port 5000, data in ./data). Relative paths
                (storage.root, auth.htpasswd, server.tls.*, password-file) are relative to the current
                directory, not to the configuration file.

                Environment: every key can be set by a variable BERTH_ and the key's path in upper case,
                with . and - as _; it wins over the file. List entries go by index from 0, a group's name
                in lower case:
                  BERTH_SERVER_PORT=5001                  server.port
                  BERTH_STORAGE_ROOT=/srv/berth           storage.root
                  BERTH_CACHE_MAX_BYTES=200GiB            cache.max-bytes
                  BERTH_MIRROR_UPSTREAMS_0_URL=https://registry-1.docker.io
                                                          mirror.upstreams[0].url
                  BERTH_PRIVATE_REPOSITORIES_0='team/*'   private.repositories[0]
                  BERTH_AUTH_GROUPS_DEVS_0=alice          auth.groups.devs[0]
                A variable that names no key stops berth when it is close to one (a typo), and is logged
                and ignored otherwise. BERTH_JAVA and BERTH_JAVA_OPTS belong to the launch scripts,
                BERTH_PASSWORD to warm and token, and Kubernetes' service links of a Service named berth
                (BERTH_SERVICE_HOST, BERTH_PORT=tcp://..., ...) to nobody: they are left alone.
                """);
    }
}

package dev.berth;

import dev.berth.cli.HealthCommand;
import dev.berth.cli.PasswdCommand;
import dev.berth.cli.PasswordInput;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The command line: {@code berth [--config FILE] [SUBCOMMAND ...]}; without a subcommand berth serves. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before anything logs: otherwise Helidon's first lines come out in the JDK's two-line default format.
        LogConfig.configureRuntime();
        Path configFile = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].equals("--help") || args[i].equals("-h")) {
                usage();
                return;
            } else {
                rest.add(args[i]);
            }
        }
        BerthConfig config;
        try {
            config = configFile == null ? ConfigLoader.defaults() : ConfigLoader.load(configFile);
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
        }
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar berth.jar [--config FILE] [SUBCOMMAND]
                  (no subcommand)   serve the registry API in the foreground
                  passwd USER       set USER's password in the auth.htpasswd file: typed twice on a
                                    terminal, else one line of standard input
                  health            ask this host's berth for /observe/health: exit status 0 when UP
                """);
    }
}

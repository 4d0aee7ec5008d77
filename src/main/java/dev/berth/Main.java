package dev.berth;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line: {@code berth [--config FILE] [SUBCOMMAND ...]}; without a subcommand berth serves. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
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
            System.err.println("berth: unknown subcommand: " + rest.getFirst());
            usage();
            System.exit(2);
        }
        try {
            BerthServer.start(config);
        } catch (IllegalArgumentException e) {
            // What the configuration names but turns out unusable, such as certificate files that cannot serve.
            System.err.println("berth: bad configuration: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar berth.jar [--config FILE] [SUBCOMMAND]
                  (no subcommand)   serve the registry API in the foreground
                """);
    }
}

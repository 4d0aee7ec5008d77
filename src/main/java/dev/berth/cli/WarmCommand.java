package dev.berth.cli;

import static dev.berth.cli.ClientArguments.value;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code berth warm --server URL [--user U] [--platform os/arch] [--file LIST] IMAGE...}: has the running berth at URL
 * cache each image through a warm job of its admin API, and follows it to the end. Exit status 0 only when every image
 * is cached.
 */
public final class WarmCommand {
    /** The subcommand's name on the command line. */
    public static final String NAME = "warm";
    /** The environment variable a script puts the password in. */
    public static final String PASSWORD_VARIABLE = ClientArguments.PASSWORD_VARIABLE;

    private static final String USAGE_LINE = "usage: berth warm --server URL [--user USER] [--platform OS/ARCH]"
            + " [--file LIST] IMAGE...";
    private static final Duration POLL = Duration.ofMillis(500);
    private static final int FAILED = 1;
    private static final int USAGE = 2;

    private final Map<String, String> environment;
    private final PasswordInput input;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;

    /**
     * @param environment where {@code BERTH_PASSWORD} is looked for
     * @param input       where the password is asked for when the environment has none
     * @param terminal    whether {@code out} is a terminal, where progress is drawn in place
     */
    public WarmCommand(Map<String, String> environment, PasswordInput input, PrintStream out, PrintStream err,
                       boolean terminal) {
        this.environment = environment;
        this.input = input;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** The parsed command line. */
    private record Options(URI server, Optional<String> user, Optional<String> platform, List<String> images) {
    }

    /** Runs with the arguments after {@code warm}; returns the exit status: 0, 1 (not all cached) or 2 (usage). */
    public int run(List<String> args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("berth: " + e.getMessage());
            err.println(USAGE_LINE);
            return USAGE;
        }
        try {
            AdminClient client = ClientArguments.client(options.server(), options.user(), environment, input);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("images", options.images());
            options.platform().ifPresent(p -> body.put("platform", p));
            JsonNode job = client.post("/api/v1/warm-jobs", body, 201);
            String path = "/api/v1/warm-jobs/" + job.path("id").asText();
            WarmDisplay display = new WarmDisplay(out, terminal);
            while (job.path("state").asText().equals("running")) {
                display.show(job);
                Thread.sleep(POLL);
                job = client.get(path);
            }
            display.show(job);
            return summary(job);
        } catch (AdminClient.Failure | IllegalArgumentException | IOException e) {
            err.println("berth: " + e.getMessage());
            return FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return FAILED;
        }
    }

    private int summary(JsonNode job) {
        int images = job.path("images").size();
        long failed = 0;
        for (JsonNode image : job.path("images")) {
            if (!image.path("state").asText().equals("done")) {
                failed++;
                if (terminal) {
                    // The bars cut long messages short; the whole one goes to the error stream.
                    err.println("berth: " + image.path("image").asText() + ": " + image.path("state").asText()
                            + (image.path("error").isTextual() ? ": " + image.path("error").asText() : ""));
                }
            }
        }
        String totals = job.path("layers").path("total").asLong() + " layers, "
                + WarmDisplay.bytes(job.path("bytes").path("total").asLong());
        if (job.path("state").asText().equals("succeeded")) {
            out.println("cached " + images + (images == 1 ? " image" : " images") + " (" + totals + ")");
            return 0;
        }
        err.println("berth: " + failed + " of " + images + (images == 1 ? " image" : " images") + " not cached (job "
                + job.path("id").asText() + " " + job.path("state").asText() + ")");
        return FAILED;
    }

    private static Options parse(List<String> args) {
        URI server = null;
        Optional<String> user = Optional.empty();
        Optional<String> platform = Optional.empty();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--server" -> server = ClientArguments.serverUri(value(args, ++i, arg));
                case "--user" -> user = Optional.of(value(args, ++i, arg));
                case "--platform" -> platform = Optional.of(value(args, ++i, arg));
                case "--file" -> images.addAll(listFile(Path.of(value(args, ++i, arg))));
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    images.add(arg);
                }
            }
        }
        if (server == null) {
            throw new IllegalArgumentException("--server URL is required (berth's address, as http://berth.lan:5000)");
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("name at least one image, or a --file listing them");
        }
        return new Options(server, user, platform, images);
    }

    /** A rollout list: an image a line; blank lines and lines starting with # are skipped. */
    private static List<String> listFile(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--file " + file + ": cannot read it (" + e.getMessage() + ")");
        }
    }
}

package dev.berth.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** berth in its own JVM (for heap limits and hard kills), started through the real Main with a config file. */
public final class ChildBerth implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("berth listening on [^ ]+:(\\d+)");

    private final Process process;
    private final int port;
    private final StringBuffer output;
    private final Path config;

    private ChildBerth(Process process, int port, StringBuffer output, Path config) {
        this.process = process;
        this.port = port;
        this.output = output;
        this.config = config;
    }

    /** Starts berth with {@code root} as its data directory and the given JVM options; waits until it listens. */
    public static ChildBerth start(Path root, String... jvmOptions) throws IOException {
        return start(List.of(), root, "", jvmOptions);
    }

    /**
     * Starts berth through {@code prefix} (such as {@link NetworkNamespace#prefix()}, which also makes it
     * reachable only there), with any extra top-level YAML sections; waits until it listens.
     */
    public static ChildBerth start(List<String> prefix, Path root, String extraYaml, String... jvmOptions)
            throws IOException {
        return launch(prefix, BerthYaml.onLoopback(root, extraYaml), jvmOptions);
    }

    /** Starts berth with {@code yaml} as its whole configuration (it must listen on 127.0.0.1); waits until it listens. */
    public static ChildBerth startWithConfig(String yaml, String... jvmOptions) throws IOException {
        return launch(List.of(), yaml, jvmOptions);
    }

    /**
     * Starts berth with the configuration file {@code config} as it is (a copy, which {@link #close} deletes) and
     * {@code environment} added to this JVM's; waits until it listens.
     */
    public static ChildBerth startWithFile(Path config, Map<String, String> environment) throws IOException {
        return launch(List.of(), Files.readString(config), environment);
    }

    private static ChildBerth launch(List<String> prefix, String yaml, String... jvmOptions) throws IOException {
        return launch(prefix, yaml, Map.of(), jvmOptions);
    }

    private static ChildBerth launch(List<String> prefix, String yaml, Map<String, String> environment,
                                     String... jvmOptions) throws IOException {
        return launch(yaml, environment, config -> {
            List<String> command = new ArrayList<>(prefix);
            command.addAll(mainCommand(List.of(jvmOptions), List.of("--config", config.toString())));
            return command;
        });
    }

    /**
     * Starts berth from {@code jar} with {@code -jar}, as the launchers do (its manifest names the libraries beside
     * it), with {@code root} as its data directory and the given JVM options; waits until it listens.
     */
    public static ChildBerth startJar(Path jar, Path root, String... jvmOptions) throws IOException {
        return launch(BerthYaml.onLoopback(root, ""), Map.of(), config -> {
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.addAll(List.of(jvmOptions));
            command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
            return command;
        });
    }

    /** Starts the command that {@code commandFor} makes for the configuration file holding {@code yaml}. */
    private static ChildBerth launch(String yaml, Map<String, String> environment,
                                     Function<Path, List<String>> commandFor) throws IOException {
        Path config = Files.createTempFile("berth", ".yaml");
        Files.writeString(config, yaml);
        ProcessBuilder builder = new ProcessBuilder(commandFor.apply(config)).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        StringBuffer output = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> pump(process, output, port));
        try {
            return new ChildBerth(process, port.get(60, TimeUnit.SECONDS), output, config);
        } catch (Exception e) {
            process.destroyForcibly();
            Files.deleteIfExists(config);
            throw new IllegalStateException("berth did not start: " + output, e);
        }
    }

    /**
     * Runs berth with {@code yaml} as its whole configuration file until it exits by itself, as it does when the
     * configuration cannot serve; fails the test if it is still running after a minute.
     */
    public static ExternalCommand.Result runUntilExit(String yaml) throws IOException {
        return runUntilExit(yaml, Map.of());
    }

    /** As {@link #runUntilExit(String)}, with {@code environment} set over this JVM's environment. */
    public static ExternalCommand.Result runUntilExit(String yaml, Map<String, String> environment)
            throws IOException {
        Path config = Files.createTempFile("berth", ".yaml");
        try {
            Files.writeString(config, yaml);
            return ExternalCommand.run(mainCommand(List.of(), List.of("--config", config.toString())), environment,
                    new byte[0], Duration.ofSeconds(60));
        } finally {
            Files.delete(config);
        }
    }

    /** The command that runs berth's Main in a new JVM, this one's java, with the compiled classes. */
    public static List<String> mainCommand(List<String> jvmOptions, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath(), "dev.berth.Main"));
        command.addAll(arguments);
        return command;
    }

    /**
     * The command that runs the test class {@code main}'s {@code main} in a new JVM through {@code prefix}, with the
     * test classes and berth's classpath: a helper server that must run where berth does (a network namespace).
     */
    public static List<String> supportCommand(List<String> prefix, Class<?> main, String... arguments) {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-cp", classesOf(main) + java.io.File.pathSeparator + classpath(), main.getName()));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String classesOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pump(Process process, StringBuffer output, CompletableFuture<Integer> port) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream()))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IllegalStateException("berth exited: " + output));
    }

    /** berth's compiled classes and its runtime dependencies, as a {@code -cp} value. */
    static String classpath() {
        try {
            return System.getProperty("berth.classes") + java.io.File.pathSeparator
                    + Files.readString(Path.of(System.getProperty("berth.classpath.file"))).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client pointed at this berth. */
    public TestClient client() {
        return new TestClient(URI.create("http://127.0.0.1:" + port));
    }

    public int port() {
        return port;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the child printed so far. */
    public String output() {
        return output.toString();
    }

    /** SIGKILL: no shutdown hooks, no flushing, like a power cut for the process. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 30 seconds; then deletes its config file. */
    @Override
    public void close() {
        process.destroy();
        if (!awaitExit()) {
            kill();
        }
        try {
            Files.deleteIfExists(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean awaitExit() {
        try {
            return process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

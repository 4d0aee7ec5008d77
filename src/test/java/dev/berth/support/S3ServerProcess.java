package dev.berth.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link S3Server} in a JVM of its own started through a command prefix (such as
 * {@link NetworkNamespace#prefix()}), listening on every address there: for containers in that namespace, which reach
 * it through their gateway, where this JVM's own S3 server would be out of their reach.
 */
public final class S3ServerProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final String READY = "s3 server ready";

    private final LoggedProcess process;
    private final int port;

    private S3ServerProcess(LoggedProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the server through {@code prefix} with this JVM's java and class path, its buckets under
     * {@code workDir}, with {@code bucket} made; waits until it serves.
     */
    public static S3ServerProcess start(List<String> prefix, Path workDir, String bucket) throws Exception {
        Files.createDirectories(workDir);
        int port = FreePort.pick();
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), S3ServerProcess.class.getName(),
                workDir.resolve("buckets").toString(), Integer.toString(port), bucket));
        LoggedProcess process = LoggedProcess.start("s3 server", command, workDir.resolve("s3.log"));
        process.awaitReady(STARTUP, () -> process.log().contains(READY));
        return new S3ServerProcess(process, port);
    }

    /** The port it listens on, on every address of its namespace. */
    public int port() {
        return port;
    }

    /** Stops the server's JVM by its PID. */
    @Override
    public void close() {
        process.close();
    }

    /** The child JVM: {@code DIRECTORY PORT BUCKET}; serves until it is stopped. */
    public static void main(String[] args) throws Exception {
        Path directory = Files.createDirectories(Path.of(args[0]));
        S3Server server = S3Server.start(directory, "0.0.0.0", Integer.parseInt(args[1]));
        server.createBucket(args[2]);
        System.out.println(READY);
        Thread.currentThread().join();
    }
}

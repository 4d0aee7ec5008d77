package dev.berth.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;

/** Runs skopeo against plain-HTTP registries, failing the test with skopeo's stderr when it fails. */
public final class Skopeo {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path executable;

    private Skopeo(Path executable) {
        this.executable = executable;
    }

    /** Finds skopeo, or skips the test (fails it on CI). */
    public static Skopeo find() {
        return new Skopeo(Tools.require("skopeo", "skopeo"));
    }

    /** What one skopeo run printed and how it exited; stdout is kept as bytes because manifests must be exact. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        /** Stdout as UTF-8 text. */
        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** {@code skopeo copy OPTIONS... SOURCE DEST} without TLS verification on either side. */
    public void copy(String source, String destination, String... options) {
        List<String> args = new ArrayList<>(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false"));
        args.addAll(List.of(options));
        args.add(source);
        args.add(destination);
        succeed(args);
    }

    /**
     * {@code skopeo --registries-conf FILE copy SOURCE DEST}: registries and their mirrors, and whether they may be
     * plain HTTP, come from {@code registriesConf} as they would for podman, not from TLS flags.
     */
    public void copyWithRegistriesConf(Path registriesConf, String source, String destination, String... options) {
        List<String> args = new ArrayList<>(List.of("--registries-conf", registriesConf.toString(), "copy"));
        args.addAll(List.of(options));
        args.add(source);
        args.add(destination);
        succeed(args);
    }

    /** {@code skopeo inspect --raw IMAGE}: the manifest exactly as the registry served it. */
    public byte[] inspectRaw(String image) {
        return succeed(List.of("inspect", "--tls-verify=false", "--raw", image)).stdout();
    }

    /** {@code skopeo inspect IMAGE}, which may fail (when the image is gone, say). */
    public Result tryInspect(String image) {
        return run(List.of("inspect", "--tls-verify=false", image));
    }

    /** {@code skopeo list-tags REPOSITORY}: the JSON skopeo prints. */
    public String listTags(String repository) {
        return succeed(List.of("list-tags", "--tls-verify=false", repository)).stdoutText();
    }

    /** {@code skopeo delete IMAGE}. */
    public void delete(String image) {
        succeed(List.of("delete", "--tls-verify=false", image));
    }

    private Result succeed(List<String> args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            Assertions.fail("skopeo " + String.join(" ", args) + " exited with " + result.exitCode() + ":\n"
                    + result.stderr());
        }
        return result;
    }

    /** Runs skopeo with the given arguments; a run over the timeout is killed and fails the test. */
    public Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--insecure-policy"));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            // Drained concurrently so that neither stream can fill its pipe and stall skopeo.
            CompletableFuture<byte[]> stdout = drain(process.getInputStream());
            CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                Assertions.fail("skopeo " + String.join(" ", args) + " did not finish within " + TIMEOUT);
            }
            return new Result(process.exitValue(), stdout.join(), new String(stderr.join(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running skopeo", e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

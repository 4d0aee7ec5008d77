package dev.berth.support;

import dev.berth.support.ExternalCommand.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;

/** Runs skopeo against plain-HTTP or test-CA HTTPS registries, failing the test with skopeo's stderr if it fails. */
public final class Skopeo {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /**
     * skopeo's environment: a home of its own with an empty registries.conf, so that nothing of this machine's user
     * or system configuration (credentials in ~/.docker or ~/.config/containers, mirrors and aliases in
     * /etc/containers/registries.conf) changes what a test's skopeo asks of whom.
     */
    private static final Map<String, String> ENVIRONMENT = ownEnvironment();

    private final List<String> launcher;
    /** The directory holding the test CA's {@code ca.crt}; empty: plain HTTP, without TLS verification. */
    private final Optional<Path> certDir;
    /** {@code user:password} to log in with; empty: anonymous. */
    private final Optional<String> credentials;

    private Skopeo(List<String> launcher, Optional<Path> certDir, Optional<String> credentials) {
        this.launcher = launcher;
        this.certDir = certDir;
        this.credentials = credentials;
    }

    /** Finds skopeo, or skips the test (fails it on CI). */
    public static Skopeo find() {
        return find(List.of());
    }

    /** Finds skopeo, to be run through {@code prefix} (such as {@link NetworkNamespace#prefix()}). */
    public static Skopeo find(List<String> prefix) {
        List<String> launcher = new ArrayList<>(prefix);
        launcher.add(Tools.require("skopeo", "skopeo").toString());
        return new Skopeo(List.copyOf(launcher), Optional.empty(), Optional.empty());
    }

    /**
     * This skopeo for registries serving HTTPS with certificates from the CA whose {@code ca.crt} is in
     * {@code certDir}, as {@code certs.d} holds it (see {@link TestCertificates#certDir()}).
     */
    public Skopeo trusting(Path certDir) {
        return new Skopeo(launcher, Optional.of(certDir), credentials);
    }

    /** This skopeo logging in as {@code user} on every registry it reaches ({@code --creds}, {@code --src-creds}...). */
    public Skopeo loggedInAs(String user, String password) {
        return new Skopeo(launcher, certDir, Optional.of(user + ":" + password));
    }

    /**
     * {@code skopeo copy OPTIONS... SOURCE DEST}, trusting the CA of {@link #trusting} on either side, or else without
     * TLS verification.
     */
    public void copy(String source, String destination, String... options) {
        succeed(copyArgs(source, destination, options));
    }

    /** {@code skopeo copy} as {@link #copy}, which may fail (a push the registry refuses, say). */
    public Result tryCopy(String source, String destination, String... options) {
        return run(copyArgs(source, destination, options));
    }

    private List<String> copyArgs(String source, String destination, String... options) {
        List<String> args = new ArrayList<>(List.of("copy"));
        args.addAll(access("src-"));
        args.addAll(access("dest-"));
        args.addAll(List.of(options));
        args.add(source);
        args.add(destination);
        return args;
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

    /**
     * {@code skopeo copy} as {@link #copy}, returning the digest of the manifest written to {@code destination},
     * which differs from the source's when skopeo converts it (with {@code --format}, say).
     */
    public String copyForDigest(String source, String destination, String... options) {
        try {
            Path digestFile = Files.createTempFile("skopeo", ".digest");
            try {
                List<String> withDigestFile = new ArrayList<>(List.of(options));
                withDigestFile.addAll(List.of("--digestfile", digestFile.toString()));
                copy(source, destination, withDigestFile.toArray(String[]::new));
                return Files.readString(digestFile).strip();
            } finally {
                Files.delete(digestFile);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code skopeo inspect --raw IMAGE}: the manifest exactly as the registry served it. */
    public byte[] inspectRaw(String image) {
        return succeed(withAccess("inspect", "--raw", image)).stdout();
    }

    /** {@code skopeo inspect IMAGE}, which may fail (when the image is gone, say). */
    public Result tryInspect(String image) {
        return run(withAccess("inspect", image));
    }

    /** {@code skopeo list-tags REPOSITORY}: the JSON skopeo prints. */
    public String listTags(String repository) {
        return succeed(withAccess("list-tags", repository)).stdoutText();
    }

    /** {@code skopeo delete IMAGE}. */
    public void delete(String image) {
        succeed(withAccess("delete", image));
    }

    /** {@code COMMAND}, the options reaching the registry, then {@code args}. */
    private List<String> withAccess(String command, String... args) {
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(access(""));
        line.addAll(List.of(args));
        return line;
    }

    /**
     * The options with which skopeo reaches a registry: for one side of a copy ({@code side} is {@code src-} or
     * {@code dest-}), or for the one registry of other commands ({@code side} is empty).
     */
    private List<String> access(String side) {
        List<String> options = new ArrayList<>();
        options.add(certDir.map(dir -> "--" + side + "cert-dir=" + dir).orElse("--" + side + "tls-verify=false"));
        credentials.ifPresent(c -> options.add("--" + side + "creds=" + c));
        return options;
    }

    private Result succeed(List<String> args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            Assertions.fail(String.join(" ", command(args)) + " exited with " + result.exitCode() + ":\n"
                    + result.stderr());
        }
        return result;
    }

    /** Runs skopeo with the given arguments; a run over the timeout is killed and fails the test. */
    public Result run(List<String> args) {
        return ExternalCommand.run(command(args), ENVIRONMENT, new byte[0], TIMEOUT);
    }

    private static Map<String, String> ownEnvironment() {
        Path home = TempTree.create("skopeo-home");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> TempTree.delete(home)));
        try {
            Path registries = Files.writeString(home.resolve("registries.conf"), "");
            return Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString(),
                    "XDG_RUNTIME_DIR", home.toString(), "REGISTRY_AUTH_FILE", home.resolve("auth.json").toString(),
                    "CONTAINERS_REGISTRIES_CONF", registries.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> command(List<String> args) {
        List<String> command = new ArrayList<>(launcher);
        command.add("--insecure-policy");
        command.addAll(args);
        return command;
    }
}

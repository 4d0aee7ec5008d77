package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ChildBerth;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.DockerDaemon;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.Htpasswd;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.TarBuilder;
import dev.berth.support.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Docker engine (Debian's dockerd 20.10) pulls {@code busybox} through berth as its registry mirror.
 *
 * <p>Everything runs in a network namespace of the test's own with only loopback up: a local
 * {@code docker-registry} standing in for Docker Hub, berth in a child JVM, dockerd and the clients. dockerd
 * falls back to Docker Hub when a mirror fails, and from there that fallback cannot leave the machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPOSITORY = "library/busybox";
    private static final String USER = "alice";
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    static Path work;

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.namespaceOnly();
    private static DistributionRegistry upstream;
    private static Image busybox;
    private static String busyboxManifest;

    @BeforeAll
    static void setUp() {
        sandbox.prepare(() -> {
            upstream = DistributionRegistry.start(work.resolve("upstream"), sandbox.prefix());
            busybox = buildBusybox(work.resolve("busybox"));
            busyboxManifest = push(upstream.hostPort());
        });
    }

    @AfterAll
    static void stopTheUpstream() {
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Checks the harness: dockerd in the namespace pulls from the upstream registry, and cannot reach Docker Hub. */
    @Test
    @Order(1)
    void dockerdPullsFromTheUpstreamDirectlyButNotFromDockerHub(@TempDir Path dir) throws IOException {
        String image = upstream.hostPort() + "/" + REPOSITORY;
        try (DockerDaemon docker = DockerDaemon.start(dir, sandbox.prefix(),
                Map.of("insecure-registries", List.of(upstream.hostPort())))) {
            // With no mirror, "busybox" means Docker Hub.
            assertNotEquals(0, docker.tryDocker("pull", "busybox").exitCode(),
                    "pulled busybox from Docker Hub out of the namespace:\n" + docker.log());
            docker.docker("pull", image);
            assertPulled(docker, image, image + "@" + busyboxManifest);
        }
    }

    /** berth's own repositories already serve docker as a mirror: {@code library/busybox} pushed into berth. */
    @Test
    @Order(2)
    void dockerdPullsAnImagePushedIntoBerthThroughRegistryMirrors(@TempDir Path dir) throws IOException {
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), "")) {
            String berthHost = "127.0.0.1:" + berth.port();
            assertEquals(busyboxManifest, push(berthHost));
            pullBusyboxThrough(berth, dir.resolve("docker"));
        }
    }

    /**
     * The case berth is for: berth's default upstream is the registry holding busybox, berth itself has nothing,
     * and {@code docker pull busybox} gets the image through berth, which keeps a copy.
     */
    @Test
    @Order(3)
    void mirrorPullsBusyboxFromTheUpstreamThroughBerth(@TempDir Path dir) throws IOException {
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), mirrorYaml())) {
            pullBusyboxThrough(berth, dir.resolve("docker"));
            // Asked of berth alone, with dockerd gone: the image is cached under the upstream's name.
            String catalogUrl = "http://127.0.0.1:" + berth.port() + "/v2/_catalog";
            String catalog = sandbox.curl().getText(catalogUrl);
            List<String> repositories = new ArrayList<>();
            JSON.readTree(catalog).path("repositories").forEach(name -> repositories.add(name.asText()));
            assertTrue(repositories.contains("docker.io/" + REPOSITORY),
                    () -> "berth's catalog: " + catalog + "\nberth's log:\n" + berth.output());
        }
    }

    /**
     * With authentication on, as berth runs in front of people: {@code docker pull busybox} through the mirror still
     * needs no login (docker follows the challenge to an anonymous token), while the private {@code team/app} takes
     * a {@code docker login} to push, to pull and to be found by {@code docker search}, and is closed again after
     * {@code docker logout}.
     */
    @Test
    @Order(4)
    void dockerLogsInToPushAndPullPrivateImagesWhileTheMirrorStaysAnonymous(@TempDir Path dir) throws IOException {
        Path htpasswd = dir.resolve("htpasswd");
        Htpasswd.run("-B", "-c", "-b", htpasswd.toString(), USER, PASSWORD);
        String yaml = mirrorYaml() + """
                private: {repositories: ['team/*']}
                auth: {htpasswd: '%s'}
                """.formatted(htpasswd);
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), yaml)) {
            String host = "127.0.0.1:" + berth.port();
            try (DockerDaemon docker = mirroringThrough(host, dir.resolve("docker"))) {
                // Anonymous: dockerd takes the 401 on /v2/ to the realm and gets a token without credentials.
                docker.docker("pull", "busybox");
                assertPulled(docker, "busybox", "busybox@" + busyboxManifest);

                // dockerd checks a login by GET /v2/ with a token fetched with the credentials.
                assertUnauthorized(login(docker, host, PASSWORD + "-wrong"));
                Result login = login(docker, host, PASSWORD);
                assertEquals(0, login.exitCode(), login.stderr());
                assertTrue(login.stdoutText().contains("Login Succeeded"), login.stdoutText());
                // The CLI keeps the login in its config dir in the test's directory, not in a keyring or ~/.docker.
                Path cliConfig = dir.resolve("docker/cli/config.json");
                String loggedIn = Files.readString(cliConfig);
                assertTrue(JSON.readTree(loggedIn).path("auths").path(host).has("auth"), loggedIn);

                String app = host + "/team/app";
                docker.docker("tag", "busybox", app + ":1");
                String pushed = docker.docker("push", app + ":1");
                Matcher digest = Pattern.compile("1: digest: (sha256:[0-9a-f]{64}) ").matcher(pushed);
                assertTrue(digest.find(), pushed);
                // With busybox untagged too the image is gone, so the pull fetches all of it from team/app.
                docker.docker("rmi", app + ":1", "busybox");
                docker.docker("pull", app + ":1");
                assertPulled(docker, app + ":1", app + "@" + digest.group(1));

                // docker search asks berth's /v1/search, logged in: the private repository and the cached mirror.
                assertEquals("team/app\n", docker.docker("search", "--format", "{{.Name}}", host + "/app"));
                assertEquals("docker.io/library/busybox\nteam/app\n",
                        docker.docker("search", "--format", "{{.Name}}", host + "/a"));

                docker.docker("logout", host);
                String loggedOut = Files.readString(cliConfig);
                assertFalse(JSON.readTree(loggedOut).path("auths").has(host), loggedOut);
                // Anonymous again: the token dockerd gets grants nothing on team/app, so berth answers 401.
                assertUnauthorized(docker.tryDocker("pull", app + ":1"));
                assertUnauthorized(docker.tryDocker("push", app + ":1"));
                // Anonymous searches find only what anonymous users may pull: the mirror, not team/app.
                assertEquals("", docker.docker("search", "--format", "{{.Name}}", host + "/app"));
                assertEquals("docker.io/library/busybox\n",
                        docker.docker("search", "--format", "{{.Name}}", host + "/busybox"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
            }
        }
    }

    /**
     * {@code docker push} to a name berth mirrors is refused, and Docker prints only the error's message: berth puts
     * its explanation (read-only, where to push instead) there, and logs the refusal once.
     */
    @Test
    @Order(5)
    void aPushToAMirroredNameShowsWhereToPushInstead(@TempDir Path dir) throws IOException {
        String yaml = mirrorYaml() + "private: {repositories: ['team/*']}\n";
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), yaml)) {
            String host = "127.0.0.1:" + berth.port();
            try (DockerDaemon docker = mirroringThrough(host, dir.resolve("docker"))) {
                docker.docker("pull", "busybox");
                docker.docker("tag", "busybox", host + "/other/app:1");
                Result refused = docker.tryDocker("push", host + "/other/app:1");
                assertNotEquals(0, refused.exitCode(), refused::stdoutText);
                assertTrue(refused.stderr().contains("denied: docker.io/other/app is mirrored from docker.io and"
                        + " read-only here; push to a private name instead (private.repositories: team/*)"),
                        refused.stderr());
                assertEquals(1, berth.output().split("WARNING dev.berth.mirror.RefusedWrites: refused a push, upload or"
                        + " delete: docker.io/other/app ", -1).length - 1, berth::output);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
            }
        }
    }

    /**
     * {@code docker push} of a tag that {@code immutable} covers, over another image already pushed there, is refused
     * and Docker prints berth's reason; the tag still names the first image.
     */
    @Test
    @Order(6)
    void aPushThatWouldMoveAnImmutableTagSaysSo(@TempDir Path dir) throws IOException {
        String yaml = mirrorYaml() + """
                private: {repositories: ['team/*']}
                immutable: [{repositories: ['team/*'], tags: ['v*']}]
                """;
        try (ChildBerth berth = ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), yaml)) {
            String host = "127.0.0.1:" + berth.port();
            OciLayoutBuilder other = new OciLayoutBuilder(dir.resolve("other"), 2);
            other.tag("1", other.image(OciLayoutBuilder.HOST_ARCHITECTURE, 1, 1024).manifest());
            String first = sandbox.skopeo().copyForDigest("oci:" + dir.resolve("other") + ":1",
                    "docker://" + host + "/team/app:v1.2.0");
            try (DockerDaemon docker = mirroringThrough(host, dir.resolve("docker"))) {
                docker.docker("pull", "busybox");
                docker.docker("tag", "busybox", host + "/team/app:v1.2.0");
                Result refused = docker.tryDocker("push", host + "/team/app:v1.2.0");
                assertNotEquals(0, refused.exitCode(), refused::stdoutText);
                assertTrue(refused.stderr().contains("denied: tag v1.2.0 of team/app is immutable"), refused.stderr());
                assertEquals(first, sandbox.skopeo().copyForDigest("docker://" + host + "/team/app:v1.2.0",
                        "oci:" + dir.resolve("back") + ":1"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
            }
        }
    }

    /** dockerd with berth at {@code host} as its registry mirror, and allowed to push to it over plain HTTP. */
    private static DockerDaemon mirroringThrough(String host, Path dir) {
        return DockerDaemon.start(dir, sandbox.prefix(), Map.of("registry-mirrors", List.of("http://" + host),
                "insecure-registries", List.of(host)));
    }

    /** {@code docker login HOST -u USER --password-stdin}, the way scripts log in. */
    private static Result login(DockerDaemon docker, String host, String password) {
        return docker.tryDocker(TestData.utf8(password + "\n"), "login", host, "-u", USER, "--password-stdin");
    }

    /**
     * The command failed on berth's 401, as dockerd 20.10 words it for login, pull and push alike: the error's code
     * and message ("Error response from daemon: ..." before it for login and pull).
     */
    private static void assertUnauthorized(Result result) {
        assertNotEquals(0, result.exitCode(), result::stdoutText);
        assertTrue(result.stderr().contains("unauthorized: authentication required"), result.stderr());
    }

    /** berth's mirror section: the upstream registry holding busybox as the default, standing in for Docker Hub. */
    private static String mirrorYaml() {
        return """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true}
                """.formatted(upstream.url());
    }

    /** dockerd with berth as its registry mirror runs {@code docker pull busybox} and has the image. */
    private static void pullBusyboxThrough(ChildBerth berth, Path dir) throws IOException {
        String mirror = "http://127.0.0.1:" + berth.port();
        Map<String, Object> settings = Map.of("registry-mirrors", List.of(mirror));
        try (DockerDaemon docker = DockerDaemon.start(dir, sandbox.prefix(), settings)) {
            docker.docker("pull", "busybox");
            assertPulled(docker, "busybox", "busybox@" + busyboxManifest);
        } catch (AssertionError e) {
            // The failure may well be berth's, so its log goes with dockerd's.
            throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
        }
    }

    /** A one-layer image for this platform holding {@code bin/busybox} (a script: nothing runs it). */
    private static Image buildBusybox(Path layout) {
        byte[] layer = new TarBuilder()
                .directory("bin")
                .file("bin/busybox", 0755, TestData.utf8("#!/bin/sh\necho 'a stand-in for busybox'\n"))
                .build();
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 1);
        Image image = builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, layer);
        builder.tag("latest", image.manifest());
        return image;
    }

    /**
     * Pushes busybox to {@code library/busybox:latest} on {@code host} as a Docker schema 2 image, as Hub has it;
     * returns the digest of the manifest, which skopeo made in converting, the same for every host.
     */
    private static String push(String host) {
        return sandbox.skopeo().copyForDigest("oci:" + work.resolve("busybox") + ":latest",
                "docker://" + host + "/" + REPOSITORY + ":latest", "--format", "v2s2");
    }

    /** dockerd has {@code name}, with busybox's config digest as its ID and {@code repoDigest} as its only one. */
    private static void assertPulled(DockerDaemon docker, String name, String repoDigest) throws IOException {
        JsonNode image = JSON.readTree(docker.docker("image", "inspect", name)).path(0);
        assertEquals(busybox.config().digest(), image.path("Id").asText(), docker.log());
        List<String> repoDigests = new ArrayList<>();
        image.path("RepoDigests").forEach(digest -> repoDigests.add(digest.asText()));
        assertEquals(List.of(repoDigest), repoDigests, docker.log());
    }
}

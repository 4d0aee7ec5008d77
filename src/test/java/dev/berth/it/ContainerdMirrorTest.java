package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ChildBerth;
import dev.berth.support.Containerd;
import dev.berth.support.Curl;
import dev.berth.support.DistributionRegistry;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.NetworkNamespace;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.OciLayoutBuilder.Blob;
import dev.berth.support.OciLayoutBuilder.Image;
import dev.berth.support.Skopeo;
import dev.berth.support.TarBuilder;
import dev.berth.support.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * containerd (Debian's 1.6, driven with ctr) pulls from Docker Hub and ghcr.io through one berth, configured with
 * the README's {@code hosts.toml} as written.
 *
 * <p>Everything runs in a network namespace of the test's own with only loopback up: two {@code docker-registry}
 * upstreams standing in for Docker Hub and ghcr.io, berth in a child JVM mirroring both, containerd and ctr. When
 * the mirror fails, ctr falls back to the {@code server} of the hosts.toml, which cannot be reached from here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdMirrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    // ctr -n: a containerd namespace named for this test, though the containerd is the test's own anyway.
    private static final String CTR_NAMESPACE = "berth-mirror-test";
    private static final String README_MIRROR = "berth.lan:5000";
    private static final String README_SERVER = "server = \"https://registry-1.docker.io\"";
    // The README says so in prose: the same file with this server line mirrors ghcr.io.
    private static final String GHCR_SERVER = "server = \"https://ghcr.io\"";
    // A request line in ctr's --http-dump; bodies are dumped without a line break, so one may precede it.
    private static final Pattern REQUEST = Pattern.compile("(GET|HEAD) (/v2/\\S+) HTTP/1\\.1");

    @TempDir
    static Path work;

    private static NetworkNamespace namespace;
    private static DistributionRegistry hub;
    private static DistributionRegistry ghcr;
    private static Containerd containerd;
    private static Seeded busybox;
    private static Seeded app;
    private static TestAbortedException unavailable;

    /** An image pushed to an upstream: what ctr asks for ({@code registry/repository:tag}) and what it must get. */
    private record Seeded(String registry, String repository, String tag, Image image, String manifestDigest) {
        String reference() {
            return registry + "/" + repository + ":" + tag;
        }

        List<Blob> blobs() {
            return Stream.concat(Stream.of(image.config()), image.layers().stream()).toList();
        }
    }

    @BeforeAll
    static void setUp() {
        try {
            Containerd.requireInstalled();
            namespace = NetworkNamespace.create();
            hub = DistributionRegistry.start(work.resolve("hub"), namespace.prefix());
            ghcr = DistributionRegistry.start(work.resolve("ghcr"), namespace.prefix());
            seed(Skopeo.find(namespace.prefix()), work.resolve("layout"));
            containerd = Containerd.start(work.resolve("containerd"), namespace.prefix());
        } catch (TestAbortedException e) {
            // Surefire reports a class aborted in @BeforeAll as no tests at all (SUREFIRE-2300), so each test
            // rethrows this instead: they show as skipped, with the reason (no root, a missing tool).
            unavailable = e;
        }
    }

    /**
     * Pushes {@code library/busybox:latest} to the Hub stand-in as a Docker schema 2 image, as Hub has it, and
     * {@code org/app:1} to the ghcr.io one as OCI. Their layers differ, so that the second pull fetches blobs too.
     */
    private static void seed(Skopeo skopeo, Path layout) {
        OciLayoutBuilder builder = new OciLayoutBuilder(layout, 1);
        Image busyboxImage = builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, new TarBuilder()
                .directory("bin")
                .file("bin/busybox", 0755, TestData.utf8("#!/bin/sh\necho 'a stand-in for busybox'\n"))
                .build());
        Image appImage = builder.image(OciLayoutBuilder.HOST_ARCHITECTURE, new TarBuilder()
                .directory("app")
                .file("app/run", 0755, TestData.utf8("#!/bin/sh\necho 'an app from ghcr.io'\n"))
                .build());
        builder.tag("busybox", busyboxImage.manifest()).tag("app", appImage.manifest());
        busybox = new Seeded("docker.io", "library/busybox", "latest", busyboxImage, skopeo.copyForDigest(
                "oci:" + layout + ":busybox", "docker://" + hub.hostPort() + "/library/busybox:latest",
                "--format", "v2s2"));
        app = new Seeded("ghcr.io", "org/app", "1", appImage, skopeo.copyForDigest(
                "oci:" + layout + ":app", "docker://" + ghcr.hostPort() + "/org/app:1"));
    }

    @BeforeEach
    void skipWhereUnavailable() {
        if (unavailable != null) {
            throw unavailable;
        }
    }

    @AfterAll
    @SuppressWarnings("try") // The resources are here only to be closed.
    static void tearDown() {
        // Closed in reverse order, each even if another fails: containerd, the upstreams, then the namespace they
        // ran in. Those never started are null, which try-with-resources skips.
        try (NetworkNamespace n = namespace; DistributionRegistry h = hub; DistributionRegistry g = ghcr;
             Containerd c = containerd) {
            // Nothing to do but close.
        }
    }

    /** Checks the harness: with nothing at the mirror's address, ctr falls back to Docker Hub, and fails. */
    @Test
    @Order(1)
    void ctrFallsBackToTheServerWhichCannotBeReached() throws IOException {
        // Nothing listens on port 1 in a namespace of the test's own.
        Path hostsDir = hostsDir(work.resolve("hosts-nothing"), "127.0.0.1:1");
        Result pull = pull(hostsDir, busybox);
        String output = pull.stdoutText() + pull.stderr();
        assertNotEquals(0, pull.exitCode(), "pulled with no mirror, out of the namespace:\n" + output);
        assertTrue(output.contains("registry-1.docker.io"), "ctr did not try the server:\n" + output);
    }

    /**
     * The README's case: ctr pulls an image from each registry through berth, which has nothing at first; it asks
     * berth alone, with {@code ?ns=} naming the registry, and gets the very images pushed upstream.
     */
    @Test
    @Order(2)
    void ctrPullsFromBothRegistriesThroughBerthWithTheReadmesHostsToml(@TempDir Path dir) throws IOException {
        String mirrorYaml = """
                mirror:
                  upstreams:
                    - {registry: docker.io, url: '%s', default: true}
                    - {registry: ghcr.io, url: '%s'}
                """.formatted(hub.url(), ghcr.url());
        try (ChildBerth berth = ChildBerth.start(namespace.prefix(), dir.resolve("berth"), mirrorYaml)) {
            Path hostsDir = hostsDir(dir.resolve("hosts"), "127.0.0.1:" + berth.port());
            try {
                for (Seeded image : List.of(busybox, app)) {
                    Result pull = pull(hostsDir, image);
                    assertEquals(0, pull.exitCode(), () -> "ctr pull " + image.reference() + ":\n"
                            + pull.stdoutText() + pull.stderr() + "\ncontainerd's log:\n" + containerd.log());
                    assertAskedBerth(image, pull.stderr());
                    assertPulled(image);
                }
                // Without ns=ghcr.io, org/app would have gone to the default upstream, as docker.io/org/app.
                assertEquals(List.of("docker.io/library/busybox", "ghcr.io/org/app"), catalog(berth));
            } catch (AssertionError e) {
                // The failure may well be berth's, so its log goes with the rest.
                throw new AssertionError(e.getMessage() + "\nberth's log:\n" + berth.output(), e);
            }
        }
    }

    /**
     * A hosts directory holding the README's {@code docker.io/hosts.toml} and its ghcr.io twin, taken from the
     * README itself so that this test checks what the README says, with berth at {@code mirror}.
     */
    private static Path hostsDir(Path dir, String mirror) throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("basedir", "."), "README.md"));
        Matcher block = Pattern.compile("```toml\n(# /etc/containerd/certs\\.d/docker\\.io/hosts\\.toml\n.*?)```",
                Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "no docker.io hosts.toml in the README");
        String dockerIo = block.group(1);
        assertTrue(dockerIo.contains(README_MIRROR) && dockerIo.contains(README_SERVER),
                () -> "the README's hosts.toml changed; this test expects " + README_MIRROR + " and "
                        + README_SERVER + " in:\n" + dockerIo);
        String withMirror = dockerIo.replace(README_MIRROR, mirror);
        write(dir.resolve("docker.io/hosts.toml"), withMirror);
        write(dir.resolve("ghcr.io/hosts.toml"), withMirror.replace(README_SERVER, GHCR_SERVER));
        return dir;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /**
     * {@code ctr images pull --hosts-dir DIR REF}, dumping its HTTP exchanges to stderr. The native snapshotter
     * unpacks on any filesystem, where the default overlayfs fails if the temporary directory is on overlayfs.
     */
    private static Result pull(Path hostsDir, Seeded image) {
        return containerd.tryCtr("-n", CTR_NAMESPACE, "images", "pull", "--http-dump", "--snapshotter", "native",
                "--hosts-dir", hostsDir.toString(), image.reference());
    }

    /** Every request ctr sent went to berth for the image, with {@code ns=} naming its registry; blobs among them. */
    private static void assertAskedBerth(Seeded image, String httpDump) {
        List<String> requests = new ArrayList<>();
        Matcher request = REQUEST.matcher(httpDump);
        while (request.find()) {
            requests.add(request.group(1) + " " + request.group(2));
        }
        assertFalse(requests.isEmpty(), "no requests in ctr's dump:\n" + httpDump);
        String prefix = "/v2/" + image.repository() + "/";
        String query = "?ns=" + image.registry();
        for (String sent : requests) {
            String path = sent.substring(sent.indexOf(' ') + 1);
            assertTrue(path.startsWith(prefix) && path.endsWith(query), () -> "ctr sent " + sent + "; all: " + requests);
        }
        for (Blob blob : image.blobs()) {
            String get = "GET " + prefix + "blobs/" + blob.digest() + query;
            assertTrue(requests.contains(get), () -> "ctr did not send " + get + "; it sent: " + requests);
        }
    }

    /** containerd has the image under its reference, with the manifest pushed upstream and all its content. */
    private static void assertPulled(Seeded image) {
        String check = containerd.ctr("-n", CTR_NAMESPACE, "images", "check", "--snapshotter", "native").stdoutText();
        // Columns: REF TYPE DIGEST STATUS SIZE UNPACKED, with STATUS such as "complete (2/2)".
        List<String> row = check.lines()
                .map(line -> List.of(line.trim().split("\\s+")))
                .filter(columns -> columns.getFirst().equals(image.reference()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + image.reference() + " in ctr images check:\n" + check));
        assertEquals(image.manifestDigest(), row.get(2), check);
        assertEquals("complete", row.get(3), check);
        assertEquals("true", row.getLast(), "not unpacked:\n" + check);
    }

    /** berth's {@code /v2/_catalog}, asked with curl in the namespace. */
    private static List<String> catalog(ChildBerth berth) throws IOException {
        String catalog = Curl.find(namespace.prefix()).getText("http://127.0.0.1:" + berth.port() + "/v2/_catalog");
        List<String> repositories = new ArrayList<>();
        JSON.readTree(catalog).path("repositories").forEach(name -> repositories.add(name.asText()));
        return repositories;
    }
}

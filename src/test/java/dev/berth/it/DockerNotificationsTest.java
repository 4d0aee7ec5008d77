package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.ChildBerth;
import dev.berth.support.Closing;
import dev.berth.support.DockerDaemon;
import dev.berth.support.DockerSandbox;
import dev.berth.support.ExternalCommand.Result;
import dev.berth.support.FreePort;
import dev.berth.support.HookReceiver;
import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.TarBuilder;
import dev.berth.support.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docker push} and {@code docker pull} of an image through berth, then its delete through the registry API,
 * with berth, dockerd and a plain HTTP receiver in the test's network namespace: the receiver, written as one for
 * {@code registry:2} would be, hears each act in distribution's envelope, with the digest docker printed.
 */
class DockerNotificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENVELOPE = "application/vnd.docker.distribution.events.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final Pattern PUSHED = Pattern.compile("1: digest: (sha256:[0-9a-f]{64}) size: (\\d+)");

    @RegisterExtension
    static final DockerSandbox sandbox = DockerSandbox.namespaceOnly();
    @RegisterExtension
    final Closing open = new Closing();
    @TempDir
    Path dir;

    @Test
    void dockerPushAndPullAndADeleteArriveAsRegistryTwoSendsThem() throws IOException, InterruptedException {
        HookReceiver receiver = open.add(HookReceiver.start(sandbox.prefix(), FreePort.pick(),
                dir.resolve("receiver")));
        String yaml = "notifications: {endpoints: [{url: '" + receiver.url("/hook") + "'}]}\n"
                + "auth: {htpasswd: '" + Htpasswd.aliceAndBob(dir.resolve("htpasswd")) + "'}\n";
        ChildBerth berth = open.add(ChildBerth.start(sandbox.prefix(), dir.resolve("berth"), yaml));
        String host = "127.0.0.1:" + berth.port();
        DockerDaemon docker = open.add(DockerDaemon.start(dir.resolve("docker"), sandbox.prefix(),
                Map.of("insecure-registries", List.of(host))));
        String image = host + "/team/app:1";
        try {
            byte[] rootfs = new TarBuilder().file("hello.txt", 0644, TestData.utf8("heard of\n")).build();
            docker.docker(rootfs, "import", "-", image);
            Result login = docker.tryDocker(TestData.utf8(Htpasswd.ALICE_PASSWORD + "\n"),
                    "login", host, "-u", "alice", "--password-stdin");
            assertEquals(0, login.exitCode(), login.stderr());
            String pushed = docker.docker("push", image);
            Matcher printed = PUSHED.matcher(pushed);
            assertTrue(printed.find(), pushed);
            String digest = printed.group(1);
            docker.docker("rmi", image);
            docker.docker("pull", image);
            Result deleted = sandbox.curl().delete("http://" + host + "/v2/team/app/manifests/" + digest,
                    "alice", Htpasswd.ALICE_PASSWORD);
            assertEquals("202", deleted.stdoutText(), deleted.stderr());

            Poll.until(() -> ofAction(events(receiver), "delete").size() == 1, "the delete at the receiver",
                    Duration.ofSeconds(60));
            for (HookReceiver.Post post : receiver.posts()) {
                assertEquals(ENVELOPE, post.contentType());
            }
            List<JsonNode> events = events(receiver);
            String manifestUrl = "http://" + host + "/v2/team/app/manifests/" + digest;

            List<JsonNode> pushes = ofAction(events, "push");
            assertEquals(1, pushes.size(), events::toString);
            JsonNode push = pushes.getFirst();
            assertTarget(push, digest);
            assertEquals("1", push.at("/target/tag").asText());
            assertEquals(DOCKER_MANIFEST, push.at("/target/mediaType").asText());
            assertEquals(Long.parseLong(printed.group(2)), push.at("/target/size").asLong());
            assertEquals(Long.parseLong(printed.group(2)), push.at("/target/length").asLong());
            assertEquals(manifestUrl, push.at("/target/url").asText());
            assertEquals("PUT", push.at("/request/method").asText());
            assertFromDocker(push, host);

            // dockerd resolves the tag with a HEAD (never sent), then GETs the manifest by digest: one pull, and no
            // tag in it, as registry:2 tells a GET by digest.
            List<JsonNode> pulls = ofAction(events, "pull");
            assertEquals(1, pulls.size(), events::toString);
            JsonNode pull = pulls.getFirst();
            assertTarget(pull, digest);
            assertTrue(pull.at("/target/tag").isMissingNode(), pull::toString);
            assertEquals(DOCKER_MANIFEST, pull.at("/target/mediaType").asText());
            assertEquals(manifestUrl, pull.at("/target/url").asText());
            assertEquals("GET", pull.at("/request/method").asText());
            assertFromDocker(pull, host);

            JsonNode delete = ofAction(events, "delete").getFirst();
            assertTarget(delete, digest);
            assertEquals("DELETE", delete.at("/request/method").asText());
            assertEquals("alice", delete.at("/actor/name").asText());
            assertTrue(delete.at("/request/useragent").asText().startsWith("curl/"), delete::toString);
            // Each act once, each event its own id: a receiver may drop repeats by id.
            assertEquals(events.size(), events.stream().map(e -> e.path("id").asText()).distinct().count());
            assertEquals(3, events.size(), events::toString);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nreceiver's log:\n" + receiver.log() + "\nberth's log:\n"
                    + berth.output(), e);
        }
    }

    private static void assertTarget(JsonNode event, String digest) {
        assertEquals("team/app", event.at("/target/repository").asText(), event::toString);
        assertEquals(digest, event.at("/target/digest").asText(), event::toString);
    }

    /** What docker's own requests carry: its user agent, the host it asked, and the user logged in. */
    private static void assertFromDocker(JsonNode event, String host) {
        assertTrue(event.at("/request/useragent").asText().contains("docker/"), event::toString);
        assertEquals(host, event.at("/request/host").asText(), event::toString);
        assertEquals("127.0.0.1", event.at("/request/addr").asText(), event::toString);
        assertEquals("alice", event.at("/actor/name").asText(), event::toString);
    }

    /** Every event of every envelope the receiver took, in the order they came. */
    private static List<JsonNode> events(HookReceiver receiver) {
        List<JsonNode> events = new ArrayList<>();
        for (HookReceiver.Post post : receiver.posts()) {
            try {
                JSON.readTree(post.body()).path("events").forEach(events::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }

    private static List<JsonNode> ofAction(List<JsonNode> events, String action) {
        return events.stream().filter(e -> e.path("action").asText().equals(action)).toList();
    }
}

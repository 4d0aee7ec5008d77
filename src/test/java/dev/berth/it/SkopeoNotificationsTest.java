package dev.berth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.OciLayoutBuilder;
import dev.berth.support.RunningBerth;
import dev.berth.support.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo pushes, pulls and deletes an image; a receiver written for registry:2 hears each, and the audit trail too. */
class SkopeoNotificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;
    @StartStop
    public final MockWebServer receiver = new MockWebServer();

    @Test
    void pushPullAndDeleteArriveAsRegistryTwoSendsThem() throws Exception {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).build();
            }
        });
        Skopeo skopeo = Skopeo.find();
        Path input = work.resolve("input");
        OciLayoutBuilder layout = new OciLayoutBuilder(input, 7);
        OciLayoutBuilder.Image image = layout.image("amd64", 2, 64 * 1024);
        layout.tag("1", image.manifest());
        Path audit = work.resolve("audit.jsonl");
        String ref;
        try (RunningBerth berth = RunningBerth.start(work.resolve("data"), "notifications: {endpoints: [{url: '"
                + receiver.url("/hook") + "'}]}\naudit: {path: '" + audit + "'}\n")) {
            ref = "docker://127.0.0.1:" + berth.port() + "/team/app:1";
            skopeo.copy("oci:" + input + ":1", ref, "--preserve-digests");
            skopeo.copy(ref, "oci:" + work.resolve("output") + ":1", "--preserve-digests");
            skopeo.delete(ref);

            List<JsonNode> events = new ArrayList<>();
            while (events.stream().noneMatch(e -> e.path("action").asText().equals("delete"))) {
                RecordedRequest post = receiver.takeRequest(20, TimeUnit.SECONDS);
                assertTrue(post != null, "timed out with " + events);
                assertEquals("application/vnd.docker.distribution.events.v1+json",
                        post.getHeaders().get("Content-Type"));
                JSON.readTree(post.getBody().toByteArray()).path("events").forEach(events::add);
            }
            String digest = image.manifest().digest();
            JsonNode push = events.getFirst();
            assertEquals("push", push.path("action").asText());
            assertEquals("team/app", push.at("/target/repository").asText());
            assertEquals("1", push.at("/target/tag").asText());
            assertEquals(digest, push.at("/target/digest").asText());
            assertEquals(image.manifest().size(), push.at("/target/size").asLong());
            assertTrue(events.stream().anyMatch(e -> e.path("action").asText().equals("pull")
                    && e.at("/target/digest").asText().equals(digest)), events::toString);
            JsonNode delete = events.getLast();
            assertEquals(digest, delete.at("/target/digest").asText());
            assertEquals("DELETE", delete.at("/request/method").asText());
        }
        List<String> actions = new ArrayList<>();
        for (String line : Files.readAllLines(audit)) {
            actions.add(JSON.readTree(line).path("action").asText());
        }
        assertEquals("push", actions.getFirst());
        assertEquals("delete", actions.getLast(), actions::toString);
        assertTrue(actions.contains("blob-pull"), "skopeo's blob reads summed: " + actions);
    }
}

package dev.berth.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.support.MockHub;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
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

/** Mirrored content is reported like private content: a pull through the mirror is a pull; a warm job is audited. */
class MirroredActsTest extends MirrorTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @StartStop
    public final MockWebServer receiver = new MockWebServer();
    @TempDir
    Path logs;

    {
        receiver.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().code(200).build();
            }
        });
    }

    @Override
    protected String mirrorYaml() {
        return super.mirrorYaml() + "notifications: {endpoints: [{url: '" + receiver.url("/hook") + "'}]}\n"
                + "audit: {path: '" + logs.resolve("audit.jsonl") + "'}\n";
    }

    @Test
    void aPullThroughTheMirrorIsNotifiedAndAuditedAndAWarmJobIsAudited() throws Exception {
        MockHub.Image image = hub.image(BUSYBOX, "1.36", 1);
        HttpResponse<byte[]> pulled = client.get("/v2/" + BUSYBOX + "/manifests/1.36", "Accept",
                "application/vnd.oci.image.manifest.v1+json");
        assertEquals(200, pulled.statusCode());
        assertEquals(201, client.send("POST", "/api/v1/warm-jobs", TestData.utf8("{\"images\": [\"busybox:1.36\"]}"),
                "Content-Type", "application/json").statusCode());

        RecordedRequest post = receiver.takeRequest(20, TimeUnit.SECONDS);
        assertTrue(post != null, "the pull is notified");
        JsonNode event = JSON.readTree(post.getBody().toByteArray()).path("events").get(0);
        assertEquals("pull", event.path("action").asText());
        assertEquals(BUSYBOX, event.at("/target/repository").asText());
        assertEquals(image.digest().toString(), event.at("/target/digest").asText());
        assertEquals("1.36", event.at("/target/tag").asText());
        awaitFillsStored(client);
        berth.close();
        berth = null;

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(logs.resolve("audit.jsonl"))) {
            lines.add(JSON.readTree(line));
        }
        assertEquals(List.of("pull", "warm"), lines.stream().map(l -> l.path("action").asText()).toList());
        assertEquals(image.digest().toString(), lines.getFirst().path("digest").asText());
        assertEquals("docker.io/library/busybox", lines.get(1).path("repository").asText());
        assertEquals("1.36", lines.get(1).path("tag").asText());
        assertEquals(1, receiver.getRequestCount(), "a warm job's fetches are no client's pull");
    }
}

package dev.berth.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.support.Closing;
import dev.berth.support.FreePort;
import dev.berth.support.Poll;
import dev.berth.support.RunningBerth;
import dev.berth.support.Scrape;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * notifications.endpoints as a receiver written for registry:2 sees them: distribution's envelope, at least once
 * across an endpoint's outage and a restart of berth, retried past 500s, redirects and timeouts, bounded on disk, and
 * never in the way of a pull.
 */
class NotificationsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @TempDir
    Path dir;
    @RegisterExtension
    final Closing open = new Closing();
    @StartStop
    public final MockWebServer receiver = new MockWebServer();
    @StartStop
    public final MockWebServer other = new MockWebServer();

    @Test
    void pushPullMountAndDeleteArriveInDistributionsEnvelope() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        receiver.setDispatcher(answering(request -> {
            authorizations.add(String.valueOf(request.getHeaders().get("Authorization")));
            return ok();
        }));
        other.setDispatcher(answering(request -> ok()));
        RunningBerth berth = start("""
                notifications:
                  endpoints:
                    - url: %s
                      headers: {Authorization: "Bearer s3cret"}
                    - url: %s
                      actions: [push]
                """.formatted(receiver.url("/hook"), other.url("/pushes-only")));
        TestClient client = berth.client();

        byte[] config = TestData.utf8("{}");
        byte[] layer = TestData.bytes(1000, 1);
        byte[] manifest = client.pushImage("team/app", "1", config, layer);
        String digest = TestData.digest(manifest);
        assertEquals(200, client.get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
        String layerDigest = TestData.digest(layer);
        assertEquals(201, client.send("POST", "/v2/team/copy/blobs/uploads/?mount=" + layerDigest
                + "&from=team/app", null).statusCode());
        assertEquals(202, client.delete("/v2/team/app/manifests/" + digest).statusCode());

        List<JsonNode> events = events(receiver, 4);
        assertEquals(List.of("push", "pull", "mount", "delete"), events.stream().map(e -> e.path("action").asText())
                .toList());
        String host = "127.0.0.1:" + berth.port();
        JsonNode push = events.get(0);
        assertEquals(OCI_MANIFEST, push.at("/target/mediaType").asText());
        assertEquals(manifest.length, push.at("/target/size").asLong());
        assertEquals(manifest.length, push.at("/target/length").asLong());
        assertEquals(digest, push.at("/target/digest").asText());
        assertEquals("team/app", push.at("/target/repository").asText());
        assertEquals("1", push.at("/target/tag").asText());
        assertEquals("http://" + host + "/v2/team/app/manifests/" + digest, push.at("/target/url").asText());
        assertEquals("PUT", push.at("/request/method").asText());
        assertEquals(host, push.at("/request/host").asText());
        assertTrue(push.at("/request/addr").asText().startsWith("127.0.0.1"), push::toString);
        assertTrue(push.at("/request/useragent").asText().startsWith("Java-http-client"), push::toString);
        assertFalse(push.at("/request/id").asText().isEmpty());
        assertEquals("", push.at("/actor/name").asText(), "anonymous");
        assertFalse(push.at("/source/addr").asText().isEmpty());
        assertFalse(push.at("/source/instanceID").asText().isEmpty());
        Instant.parse(push.path("timestamp").asText());

        JsonNode pull = events.get(1);
        assertEquals("GET", pull.at("/request/method").asText());
        assertEquals(digest, pull.at("/target/digest").asText());
        assertEquals("1", pull.at("/target/tag").asText());
        assertEquals(manifest.length, pull.at("/target/size").asLong());
        JsonNode mount = events.get(2);
        assertEquals("team/copy", mount.at("/target/repository").asText());
        assertEquals(layerDigest, mount.at("/target/digest").asText());
        assertEquals("team/app", mount.at("/target/fromRepository").asText());
        JsonNode delete = events.get(3);
        assertEquals("team/app", delete.at("/target/repository").asText());
        assertEquals(digest, delete.at("/target/digest").asText());
        assertEquals(4, events.stream().map(e -> e.path("id").asText()).distinct().count(), "ids are unique");
        assertTrue(authorizations.stream().allMatch("Bearer s3cret"::equals), authorizations::toString);

        List<JsonNode> pushes = events(other, 1);
        assertEquals("push", pushes.getFirst().path("action").asText());
        String endpoint = other.url("/pushes-only").toString();
        Poll.until(() -> Scrape.of(client).value("berth_notifications_sent_total", Map.of("endpoint", endpoint)) == 1,
                "the push counted as sent");
        Scrape scrape = Scrape.of(client);
        assertEquals(0, scrape.value("berth_notifications_queued", Map.of("endpoint", endpoint)),
                "the other actions were never queued for it");
        assertEquals(0, scrape.value("berth_notifications_failed_total", Map.of("endpoint", endpoint)));
    }

    @Test
    void aHungEndpointDoesNotSlowAPull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.setDispatcher(answering(request -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok();
        }));
        RunningBerth berth = start(endpoint(receiver.url("/hook").toString(), "30s"));
        TestClient client = berth.client();
        byte[] layer = TestData.bytes(100_000, 2);
        client.pushImage("team/app", "1", TestData.utf8("{}"), layer);
        Poll.until(() -> receiver.getRequestCount() == 1, "the endpoint holds the first POST");

        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            assertEquals(200, client.get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
            HttpResponse<byte[]> blob = client.get("/v2/team/app/blobs/" + TestData.digest(layer));
            assertEquals(TestData.digest(layer), TestData.digest(blob.body()));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(1, receiver.getRequestCount(), "the POST is still held");
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "20 pulls took " + took);
        release.countDown();
        assertEquals(21, events(receiver, 21).size(), "the push, then the 20 pulls");
    }

    @Test
    void berthStopsWithoutWaitingForAHungEndpointAndSendsTheEventAfterItsRestart() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        receiver.setDispatcher(answering(request -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok();
        }));
        try {
            RunningBerth berth = start(endpoint(receiver.url("/hook").toString(), "30s"));
            berth.client().pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(10, 7));
            Poll.until(() -> receiver.getRequestCount() == 1, "the endpoint holds the POST");

            long start = System.nanoTime();
            stop(berth);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "stopping took " + took);
        } finally {
            release.countDown();
        }
        receiver.setDispatcher(answering(request -> ok()));
        RunningBerth again = start(endpoint(receiver.url("/hook").toString(), "30s"));
        List<JsonNode> events = events(receiver, 2);
        assertEquals(events.get(0).path("id").asText(), events.get(1).path("id").asText(),
                "the unanswered batch is sent again: at least once");
        Poll.until(() -> Scrape.of(again.client()).value("berth_notifications_queued",
                Map.of("endpoint", receiver.url("/hook").toString())) == 0, "the queue emptied");
    }

    @Test
    void answers500RedirectsAndTimeoutsAreRetriedUntilTheEndpointTakesTheBatch() throws Exception {
        List<MockResponse> answers = new ArrayList<>(List.of(
                new MockResponse.Builder().code(500).build(),
                new MockResponse.Builder().code(302).addHeader("Location", other.url("/elsewhere")).build(),
                new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build()));
        receiver.setDispatcher(answering(request -> {
            synchronized (answers) {
                return answers.isEmpty() ? ok() : answers.removeFirst();
            }
        }));
        other.setDispatcher(answering(request -> ok()));
        RunningBerth berth = start(endpoint(receiver.url("/hook").toString(), "300ms"));
        berth.client().pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(10, 3));

        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RecordedRequest request = receiver.takeRequest(20, TimeUnit.SECONDS);
            assertTrue(request != null, "POST " + (i + 1) + " of 4");
            bodies.add(request.getBody().utf8());
        }

        assertEquals(1, new HashSet<>(bodies).size(), "the same batch each time: " + bodies);
        assertEquals(0, other.getRequestCount(), "a redirect is not followed");
        String endpoint = receiver.url("/hook").toString();
        Poll.until(() -> Scrape.of(berth.client()).value("berth_notifications_sent_total",
                Map.of("endpoint", endpoint)) == 1, "the event counted as sent");
        Scrape scrape = Scrape.of(berth.client());
        assertEquals(3, scrape.value("berth_notifications_failed_total", Map.of("endpoint", endpoint)));
        assertEquals(0, scrape.value("berth_notifications_queued", Map.of("endpoint", endpoint)));
    }

    @Test
    void eventsQueuedWhileTheEndpointIsDownArriveOnceAfterBerthRestarts() throws Exception {
        int port = FreePort.pick();
        String url = "http://127.0.0.1:" + port + "/hook";
        RunningBerth berth = start(endpoint(url, "1s"));
        berth.client().pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(10, 4));
        berth.client().pushImage("team/app", "2", TestData.utf8("{}"), TestData.bytes(10, 5));
        assertEquals(200, berth.client().get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
        Poll.until(() -> Scrape.of(berth.client()).value("berth_notifications_queued", Map.of("endpoint", url)) == 3
                && Scrape.of(berth.client()).value("berth_notifications_failed_total", Map.of("endpoint", url)) >= 1,
                "three events queued, the endpoint failing");
        stop(berth);

        try (MockWebServer back = new MockWebServer()) {
            back.setDispatcher(answering(request -> ok()));
            back.start(port);
            RunningBerth again = start(endpoint(url, "1s"));
            Poll.until(() -> Scrape.of(again.client()).value("berth_notifications_queued", Map.of("endpoint", url))
                    == 0, "the queue emptied");
            stop(again);
            List<JsonNode> events = eventsIn(back, back.getRequestCount());
            assertEquals(List.of("push", "push", "pull"), events.stream().map(e -> e.path("action").asText()).toList());
            assertEquals(List.of("1", "2", "1"), events.stream().map(e -> e.at("/target/tag").asText()).toList());
        }
    }

    @Test
    void aFullQueueDropsTheOldestAndCountsThem() throws Exception {
        String url = "http://127.0.0.1:" + FreePort.pick() + "/hook";
        RunningBerth berth = start("""
                notifications:
                  endpoints:
                    - {url: '%s', queue-limit: 2, backoff: 10ms, max-backoff: 50ms}
                """.formatted(url));
        for (int i = 1; i <= 5; i++) {
            berth.client().pushImage("team/app", String.valueOf(i), TestData.utf8("{}"), TestData.bytes(10, i));
        }

        Poll.until(() -> Scrape.of(berth.client()).value("berth_notifications_dropped_total", Map.of("endpoint", url))
                == 3, "three events dropped");
        assertEquals(2, Scrape.of(berth.client()).value("berth_notifications_queued", Map.of("endpoint", url)));
    }

    @Test
    void aQueueThatCannotBeWrittenDropsEventsCountedAndPushesGoOn() throws Exception {
        String url = "http://127.0.0.1:" + FreePort.pick() + "/hook";
        RunningBerth berth = start(endpoint(url, "1s"));
        Path queues = dir.resolve("data/" + EventSetup.QUEUES);
        try (var entries = Files.list(queues)) {
            Path queue = entries.findFirst().orElseThrow();
            // What a full or broken disk does to the queue: no record can be written there any more.
            Files.delete(queue);
            Files.writeString(queue, "not a directory");
        }

        berth.client().pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(10, 6));

        Poll.until(() -> Scrape.of(berth.client()).value("berth_notifications_dropped_total", Map.of("endpoint", url))
                == 1, "the event counted as dropped");
        assertEquals(200, berth.client().get("/v2/team/app/manifests/1", "Accept", OCI_MANIFEST).statusCode());
    }

    private RunningBerth start(String yaml) {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), "private: {repositories: ['team/*']}\n" + yaml);
        open.add(berth);
        return berth;
    }

    private void stop(RunningBerth berth) {
        open.remove(berth);
        berth.close();
    }

    private static String endpoint(String url, String timeout) {
        return """
                notifications:
                  endpoints:
                    - {url: '%s', timeout: %s, backoff: 10ms, max-backoff: 50ms}
                """.formatted(url, timeout);
    }

    private static MockResponse ok() {
        return new MockResponse.Builder().code(200).build();
    }

    private static Dispatcher answering(Function<RecordedRequest, MockResponse> answer) {
        return new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return answer.apply(request);
            }
        };
    }

    /** The events of POSTs to {@code server} until there are {@code count}, each POST checked as a receiver would. */
    private static List<JsonNode> events(MockWebServer server, int count) throws InterruptedException, IOException {
        List<JsonNode> events = new ArrayList<>();
        while (events.size() < count) {
            RecordedRequest request = server.takeRequest(20, TimeUnit.SECONDS);
            assertTrue(request != null, "timed out with " + events.size() + " of " + count + " events");
            events.addAll(envelope(request));
        }
        assertEquals(count, events.size());
        return events;
    }

    /** The events of the {@code posts} POSTs {@code server} received, each event there once. */
    private static List<JsonNode> eventsIn(MockWebServer server, int posts) throws InterruptedException, IOException {
        Set<String> ids = new HashSet<>();
        List<JsonNode> events = new ArrayList<>();
        for (int i = 0; i < posts; i++) {
            RecordedRequest request = server.takeRequest();
            for (JsonNode event : envelope(request)) {
                assertTrue(ids.add(event.path("id").asText()), "delivered twice: " + event);
                events.add(event);
            }
        }
        return events;
    }

    private static List<JsonNode> envelope(RecordedRequest request) throws IOException {
        assertEquals("POST", request.getMethod());
        assertEquals("application/vnd.docker.distribution.events.v1+json", request.getHeaders().get("Content-Type"));
        JsonNode body = JSON.readTree(request.getBody().toByteArray());
        List<JsonNode> events = new ArrayList<>();
        body.path("events").forEach(events::add);
        assertFalse(events.isEmpty(), "an envelope with events");
        return events;
    }
}

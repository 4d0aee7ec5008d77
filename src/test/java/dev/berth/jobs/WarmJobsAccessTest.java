package dev.berth.jobs;

import static dev.berth.support.ApiAssertions.assertApiError;
import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.support.Htpasswd;
import dev.berth.support.Poll;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm jobs with scoped administrators: each sees, follows and cancels only the jobs of names it administers. */
class WarmJobsAccessTest extends MirrorTestBase {
    @TempDir
    Path etc;

    @Override
    protected String mirrorYaml() {
        return super.mirrorYaml() + Htpasswd.aliceAndBobWithRules(etc,
                "{repositories: ['docker.io/library/busybox'], pull: ['*'], admin: [alice]}",
                "{repositories: ['docker.io/library/alpine'], pull: ['*'], admin: [bob]}");
    }

    private static List<String> ids(TestClient caller) {
        HttpResponse<byte[]> r = caller.get("/api/v1/warm-jobs");
        assertEquals(200, r.statusCode(), new String(r.body()));
        List<String> ids = new ArrayList<>();
        json(r).path("jobs").forEach(job -> ids.add(job.path("id").asText()));
        return ids;
    }

    @Test
    void anAdministratorOfSomeNamesSeesAndCancelsOnlyJobsOfThose() throws InterruptedException {
        hub.image(BUSYBOX, "1.36", 1);
        TestClient alice = client.withBasic("alice", ALICE_PASSWORD);
        TestClient bob = client.withBasic("bob", BOB_PASSWORD);
        assertApiError(bob.send("POST", "/api/v1/warm-jobs", TestData.utf8("{\"images\": [\"busybox:1.36\"]}"),
                "Content-Type", "application/json"), 403, "FORBIDDEN");
        HttpResponse<byte[]> started = alice.send("POST", "/api/v1/warm-jobs",
                TestData.utf8("{\"images\": [\"busybox:1.36\"]}"), "Content-Type", "application/json");
        assertEquals(201, started.statusCode(), new String(started.body()));
        String id = json(started).path("id").asText();
        String location = "/api/v1/warm-jobs/" + id;

        assertEquals(List.of(id), ids(alice));
        assertEquals(List.of(), ids(bob), "bob administers alpine only: alice's busybox job is none of his");
        assertApiError(bob.get(location), 404, "NOT_FOUND");
        assertApiError(bob.send("DELETE", location, new byte[0]), 404, "NOT_FOUND");
        Poll.until(() -> {
            JsonNode job = json(alice.get(location));
            return job.path("state").asText().equals("succeeded");
        }, "alice's job finishes, not cancelled by bob");
    }
}

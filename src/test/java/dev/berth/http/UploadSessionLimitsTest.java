package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.support.Htpasswd;
import dev.berth.support.RunningBerth;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The caps on open upload sessions, per client and in all, as clients meet them: 429 TOOMANYREQUESTS with a message
 * saying which cap, and the slot back once a session is completed, cancelled or fails. Clients are told apart by
 * their loopback addresses, or by their logins.
 */
class UploadSessionLimitsTest {
    private static final String LIMITS = "limits: {max-upload-sessions: 5, max-upload-sessions-per-client: 3}\n";
    private static final String A = "127.0.0.2";
    private static final String B = "127.0.0.3";

    @TempDir
    Path dir;
    private final List<RunningBerth> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(RunningBerth::close);
    }

    @Test
    void sessionsAreCappedPerClientAndInAll() {
        RunningBerth berth = start(LIMITS);
        List<String> fromA = startSessions(berth.clientFrom(A), 3);
        HttpResponse<byte[]> fourth = post(berth.clientFrom(A));
        assertTooMany(fourth, "upload sessions open for 127.0.0.2 are at the limit of 3"
                + " (limits.max-upload-sessions-per-client); finish or cancel (DELETE) some, or wait until unfinished"
                + " ones expire (storage.upload-timeout)");
        // A monolithic upload is no session a client holds: it ends with its request.
        berth.clientFrom(A).pushBlob("team/app", TestData.bytes(1000, 1));

        List<String> fromB = startSessions(berth.clientFrom(B), 2);
        assertTooMany(post(berth.clientFrom(B)), "upload sessions open on this instance are at the limit of 5"
                + " (limits.max-upload-sessions); finish or cancel (DELETE) some, or wait until unfinished ones expire"
                + " (storage.upload-timeout)");

        // Cancelled: B may start one again.
        assertEquals(204, berth.clientFrom(A).delete(fromA.removeFirst()).statusCode());
        fromB.addAll(startSessions(berth.clientFrom(B), 1));
        assertEquals(429, post(berth.clientFrom(B)).statusCode());

        // Completed: A's slot comes back.
        byte[] blob = TestData.bytes(5000, 2);
        HttpResponse<byte[]> put = berth.clientFrom(A).send("PUT", fromA.removeFirst() + "?digest=" + TestData.digest(blob),
                blob);
        assertEquals(201, put.statusCode());
        fromA.addAll(startSessions(berth.clientFrom(A), 1));
        assertEquals(429, post(berth.clientFrom(A)).statusCode());

        // Failed, with a digest that does not match: the session is gone, and its slot with it.
        HttpResponse<byte[]> wrong = berth.clientFrom(A).send("PUT", fromA.removeFirst() + "?digest="
                + TestData.digest(new byte[1]), blob);
        assertError(wrong, 400, "DIGEST_INVALID");
        startSessions(berth.clientFrom(A), 1);
    }

    @Test
    void aUsersSessionsCountTogetherFromWhereverTheyCome() {
        RunningBerth berth = start(LIMITS + "auth: {htpasswd: '" + Htpasswd.aliceAndBob(dir.resolve("htpasswd"))
                + "'}\n");
        startSessions(berth.clientFrom(A).withBasic("alice", ALICE_PASSWORD), 2);
        startSessions(berth.clientFrom(B).withBasic("alice", ALICE_PASSWORD), 1);
        assertTooMany(post(berth.clientFrom(B).withBasic("alice", ALICE_PASSWORD)),
                "upload sessions open for user alice are at the limit of 3 (limits.max-upload-sessions-per-client);"
                        + " finish or cancel (DELETE) some, or wait until unfinished ones expire"
                        + " (storage.upload-timeout)");
        // Another user at the same address has slots of his own.
        startSessions(berth.clientFrom(A).withBasic("bob", BOB_PASSWORD), 2);
    }

    private RunningBerth start(String yaml) {
        RunningBerth berth = RunningBerth.start(dir.resolve("data"), yaml + "private: {repositories: ['team/*']}\n");
        started.add(berth);
        return berth;
    }

    private static List<String> startSessions(TestClient client, int count) {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<byte[]> r = post(client);
            assertEquals(202, r.statusCode(), () -> new String(r.body()));
            locations.add(header(r, "Location"));
        }
        return locations;
    }

    private static HttpResponse<byte[]> post(TestClient client) {
        return client.send("POST", "/v2/team/app/blobs/uploads/", null);
    }

    private static void assertTooMany(HttpResponse<byte[]> r, String message) {
        assertError(r, 429, "TOOMANYREQUESTS");
        // In the message, which docker prints, not only in the detail.
        assertEquals(message, json(r).path("errors").path(0).path("message").asText());
    }
}

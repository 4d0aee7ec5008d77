package dev.berth.http;

import static dev.berth.support.Htpasswd.ALICE_PASSWORD;
import static dev.berth.support.Htpasswd.BOB_PASSWORD;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.mirror.MirrorTestBase;
import dev.berth.oci.MediaTypes;
import dev.berth.support.Htpasswd;
import dev.berth.support.MockHub;
import dev.berth.support.TestClient;
import dev.berth.support.TestData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /v1/search}, as {@code docker search} asks it: private and cached repositories containing the term, only
 * those the caller may pull, in Docker Hub's response format.
 */
class SearchTest extends MirrorTestBase {
    @TempDir
    Path etc;

    @Override
    protected String mirrorYaml() {
        return super.mirrorYaml() + Htpasswd.aliceAndBobWithRules(etc,
                "{repositories: ['team/secret*'], pull: [alice], push: [alice]}",
                "{repositories: ['team/*'], pull: ['*'], push: ['*']}");
    }

    private static List<String> names(JsonNode answer) {
        List<String> names = new ArrayList<>();
        answer.path("results").forEach(result -> names.add(result.path("name").asText()));
        return names;
    }

    private static JsonNode search(TestClient client, String query) {
        HttpResponse<byte[]> r = client.get("/v1/search?" + query);
        assertEquals(200, r.statusCode(), new String(r.body()));
        return json(r);
    }

    @Test
    void callersFindWhatTheyMayPull() throws InterruptedException {
        TestClient alice = client.withBasic("alice", ALICE_PASSWORD);
        alice.pushImage("team/app", "1", TestData.utf8("{}"), TestData.bytes(100, 1));
        alice.pushImage("team/secret-app", "1", TestData.utf8("{}"), TestData.bytes(100, 2));
        MockHub.Image image = hub.image(BUSYBOX, "latest", 3);
        assertManifest(client.get("/v2/busybox/manifests/latest"), image.manifest(), MediaTypes.OCI_MANIFEST);
        awaitFillsStored(client);

        JsonNode anonymous = search(client, "q=app&n=25");
        assertEquals("{\"num_results\":0,\"query\":\"app\",\"results\":[]}", anonymous.toString(),
                "anonymous users may pull no private repository");
        JsonNode busybox = search(client, "q=busy");
        assertEquals("{\"num_results\":1,\"query\":\"busy\",\"results\":[{\"name\":\"docker.io/library/busybox\","
                + "\"description\":\"\",\"star_count\":0,\"is_official\":false,\"is_automated\":false}]}",
                busybox.toString(), "cached mirrored repositories, by the name they are cached under");

        assertEquals(List.of("team/app", "team/secret-app"), names(search(alice, "q=APP")));
        assertEquals(List.of("team/app"), names(search(client.withBasic("bob", BOB_PASSWORD), "q=app")));
        assertEquals(List.of("docker.io/library/busybox", "team/app", "team/secret-app"), names(search(alice, "q=")));

        JsonNode first = search(alice, "q=app&n=1");
        assertEquals(2, first.path("num_results").asInt());
        assertEquals(List.of("team/app"), names(first));

        assertEquals(400, client.get("/v1/search?q=app&n=0").statusCode());
        assertEquals(400, client.get("/v1/search?q=app&n=101").statusCode());
        assertEquals(401, client.withBasic("alice", "wrong").get("/v1/search?q=app").statusCode());
        assertEquals(200, client.get("/v1/_ping").statusCode());
    }
}

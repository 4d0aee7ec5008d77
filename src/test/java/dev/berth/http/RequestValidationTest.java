package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidationTest extends ApiTestBase {
    static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void namesOutsideTheGrammarAreRejected() {
        for (String name : List.of("Team/app", "team//app", "team/app-", "-team", "team/%2e%2e/x", "team%2Fapp",
                "team/_layers", "a".repeat(256))) {
            assertError(client.get("/v2/" + name + "/tags/list"), 400, "NAME_INVALID");
        }
    }

    @Test
    void badDigestsAndTagsAreRejected() {
        assertError(client.get("/v2/team/app/blobs/sha256:xyz"), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/blobs/md5:" + "a".repeat(32)), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/blobs/sha256:" + "A".repeat(64)), 400, "DIGEST_INVALID");
        assertError(client.get("/v2/team/app/manifests/.hidden"), 400, "TAG_INVALID");
        assertError(client.get("/v2/team/app/manifests/" + "t".repeat(129)), 400, "TAG_INVALID");
    }

    @Test
    void unknownEndpointsAndMethods() {
        assertError(client.get("/v2/team/app/nothing/here"), 404, "NOT_FOUND");
        assertError(client.get("/wp-login.php"), 404, "NOT_FOUND");
        assertError(client.get("/auth/token"), 404, "NOT_FOUND");
        assertError(client.send("POST", "/v2/team/app/manifests/1", null), 405, "UNSUPPORTED");
        assertError(client.send("PUT", "/v2/team/app/blobs/" + DIGEST, new byte[1]), 405, "UNSUPPORTED");
        assertError(client.send("PATCH", "/v2/_catalog", new byte[1]), 405, "UNSUPPORTED");
        assertError(client.send("DELETE", "/v2/team/app/tags/list", null), 405, "UNSUPPORTED");
    }

    @Test
    void malformedRequestsNeverCause500() throws IOException {
        List<String[]> requests = List.of(
                new String[] {"GET", "/v2/team/app/manifests/sha256:"},
                new String[] {"GET", "/v2/team/app/manifests/:"},
                new String[] {"GET", "/v2/team/app/blobs/"},
                new String[] {"GET", "/v2/team/app/blobs/uploads/../../x"},
                new String[] {"PUT", "/v2/team/app/blobs/uploads/00000000-0000-0000-0000-000000000000?digest=" + DIGEST},
                new String[] {"PATCH", "/v2/team/app/blobs/uploads/%2e%2e"},
                new String[] {"POST", "/v2/team/app/blobs/uploads/?mount=nope&from=team/base"},
                new String[] {"POST", "/v2/team/app/blobs/uploads/?mount=" + DIGEST + "&from=../../etc"},
                new String[] {"GET", "/v2/team/app/referrers/nope"},
                new String[] {"GET", "/v2/_catalog?n=99999999999999999999"},
                new String[] {"GET", "/v2/..%2F..%2Fetc/passwd/manifests/x"},
                new String[] {"DELETE", "/v2/team/app/manifests/latest"},
                new String[] {"PUT", "/v2/team/app/manifests/latest"});
        for (String[] request : requests) {
            HttpResponse<byte[]> r = client.send(request[0], request[1], request[0].equals("GET") ? null : new byte[3]);
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500,
                    () -> request[0] + " " + request[1] + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        List<Path> escaped = new ArrayList<>();
        // The parent is shared with other tests' directories, which may vanish while this walks it.
        Files.walkFileTree(root.getParent(), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (file.getFileName().toString().equals("passwd")) {
                    escaped.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                // Other tests' temporary directories may vanish mid-walk; anything else means the walk did not look.
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        assertEquals(List.of(), escaped, "nothing escaped the root");
    }
}

package dev.berth.http;

import static dev.berth.support.RegistryAssertions.assertError;
import static dev.berth.support.RegistryAssertions.header;
import static dev.berth.support.RegistryAssertions.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.support.TestData;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ListingApiTest extends ApiTestBase {
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private byte[] image(String repo, String... tags) {
        byte[] manifest = client.pushImage(repo, tags[0], TestData.utf8("{}"), TestData.bytes(10, 30));
        for (int i = 1; i < tags.length; i++) {
            client.putManifest(repo, tags[i], manifest, OCI_MANIFEST);
        }
        return manifest;
    }

    @Test
    void tagsArePagedWithLinkHeader() {
        image("team/app", "b", "a", "d", "c");
        HttpResponse<byte[]> all = client.get("/v2/team/app/tags/list");
        assertEquals("team/app", json(all).path("name").asText());
        assertEquals("[\"a\",\"b\",\"c\",\"d\"]", json(all).path("tags").toString());
        assertEquals("", header(all, "Link"));

        HttpResponse<byte[]> first = client.get("/v2/team/app/tags/list?n=2");
        assertEquals("[\"a\",\"b\"]", json(first).path("tags").toString());
        assertEquals("</v2/team/app/tags/list?n=2&last=b>; rel=\"next\"", header(first, "Link"));

        HttpResponse<byte[]> second = client.get("/v2/team/app/tags/list?n=2&last=b");
        assertEquals("[\"c\",\"d\"]", json(second).path("tags").toString());
        assertEquals("", header(second, "Link"));

        assertEquals("[]", json(client.get("/v2/team/app/tags/list?n=0")).path("tags").toString());
    }

    @Test
    void badPaginationAndUnknownRepository() {
        image("team/app", "1");
        assertError(client.get("/v2/team/app/tags/list?n=-1"), 400, "PAGINATION_NUMBER_INVALID");
        assertError(client.get("/v2/team/app/tags/list?n=lots"), 400, "PAGINATION_NUMBER_INVALID");
        assertError(client.get("/v2/team/nothing/tags/list"), 404, "NAME_UNKNOWN");
    }

    @Test
    void catalogListsRepositoriesInOrder() {
        image("zeta", "1");
        image("alpha/one", "1");
        image("alpha", "1");
        image("alpha/one/deeper", "1");
        HttpResponse<byte[]> all = client.get("/v2/_catalog");
        assertEquals(200, all.statusCode());
        assertEquals("[\"alpha\",\"alpha/one\",\"alpha/one/deeper\",\"zeta\"]",
                json(all).path("repositories").toString());

        HttpResponse<byte[]> page = client.get("/v2/_catalog?n=2&last=alpha");
        assertEquals("[\"alpha/one\",\"alpha/one/deeper\"]", json(page).path("repositories").toString());
        assertEquals("</v2/_catalog?n=2&last=alpha%2Fone%2Fdeeper>; rel=\"next\"", header(page, "Link"));
    }

    @Test
    void aRepositoryWhoseManifestsWereDeletedLeavesTheCatalog() {
        image("alpha", "1");
        byte[] manifest = image("team/app", "1");

        assertEquals(202, client.delete("/v2/team/app/manifests/" + TestData.digest(manifest)).statusCode());

        assertEquals("[\"alpha\"]", json(client.get("/v2/_catalog")).path("repositories").toString());
    }

    @Test
    void aDirectoryThatIsNoRepositoryNameIsLeftOutOfTheCatalog() throws IOException {
        image("alpha", "1");
        Files.createDirectories(root.resolve("repositories/Not..A-Name/_manifests/revisions"));

        HttpResponse<byte[]> r = client.get("/v2/_catalog");

        assertEquals(200, r.statusCode());
        assertEquals("[\"alpha\"]", json(r).path("repositories").toString());
    }

    @Test
    void emptyCatalog() {
        assertEquals("[]", json(client.get("/v2/_catalog")).path("repositories").toString());
    }

    @Test
    void referrersListArtifactsThatNameASubject() {
        byte[] subject = image("team/app", "1");
        String subjectDigest = TestData.digest(subject);
        byte[] sbomConfig = TestData.utf8("{\"sbom\":true}");
        client.pushBlob("team/app", sbomConfig);
        byte[] artifact = TestData.utf8("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\","
                + "\"artifactType\":\"application/spdx+json\",\"config\":"
                + TestData.descriptor("application/vnd.oci.empty.v1+json", sbomConfig) + ",\"layers\":[],"
                + "\"subject\":" + TestData.descriptor(OCI_MANIFEST, subject) + ","
                + "\"annotations\":{\"org.example\":\"yes\"}}");
        HttpResponse<byte[]> put = client.putManifest("team/app", TestData.digest(artifact), artifact, OCI_MANIFEST);
        assertEquals(201, put.statusCode());
        assertEquals(subjectDigest, header(put, "OCI-Subject"));

        HttpResponse<byte[]> r = client.get("/v2/team/app/referrers/" + subjectDigest);
        assertEquals(200, r.statusCode());
        assertEquals("application/vnd.oci.image.index.v1+json", header(r, "Content-Type"));
        JsonNode listed = json(r).path("manifests");
        assertEquals(1, listed.size());
        assertEquals(TestData.digest(artifact), listed.path(0).path("digest").asText());
        assertEquals("application/spdx+json", listed.path(0).path("artifactType").asText());
        assertEquals(artifact.length, listed.path(0).path("size").asLong());
        assertEquals("yes", listed.path(0).path("annotations").path("org.example").asText());

        HttpResponse<byte[]> filtered = client.get("/v2/team/app/referrers/" + subjectDigest
                + "?artifactType=application%2Fspdx%2Bjson");
        assertEquals("artifactType", header(filtered, "OCI-Filters-Applied"));
        assertEquals(1, json(filtered).path("manifests").size());
        assertEquals(0, json(client.get("/v2/team/app/referrers/" + subjectDigest + "?artifactType=other/type"))
                .path("manifests").size());

        client.delete("/v2/team/app/manifests/" + TestData.digest(artifact));
        assertEquals(0, json(client.get("/v2/team/app/referrers/" + subjectDigest)).path("manifests").size());
    }

    @Test
    void referrersOfUnknownSubjectIsAnEmptyIndex() {
        HttpResponse<byte[]> r = client.get("/v2/team/app/referrers/" + TestData.digest(new byte[] {9}));
        assertEquals(200, r.statusCode());
        assertEquals(0, json(r).path("manifests").size());
        assertError(client.get("/v2/team/app/referrers/sha256:short"), 400, "DIGEST_INVALID");
    }
}

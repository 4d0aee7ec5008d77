import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Pushes test content into a registry with the OCI upload API (POST, then PUT with the body). Not timed. */
final class Seeder {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final int PARALLEL_PUSHES = 8;

    private final URI base;

    Seeder(URI base) {
        this.base = base;
    }

    void pushImage(String repository, String tag, Content.Image image) throws IOException, InterruptedException {
        pushBlobs(repository, image.blobs());
        HttpRequest put = HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", Content.OCI_MANIFEST)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest()))
                .build();
        expect(201, HTTP.send(put, HttpResponse.BodyHandlers.ofString()), "manifest push to " + repository);
    }

    /** Pushes blobs a few at a time: small ones one by one would take longer than the measurements. */
    void pushBlobs(String repository, List<Content.Blob> blobs) throws IOException, InterruptedException {
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_PUSHES, Thread.ofVirtual().factory())) {
            List<Future<Void>> pushes = blobs.stream()
                    .map(blob -> pool.submit(() -> {
                        pushBlob(repository, blob);
                        return (Void) null;
                    }))
                    .toList();
            for (Future<Void> push : pushes) {
                Bench.await(push);
            }
        }
    }

    void pushBlob(String repository, Content.Blob blob) throws IOException, InterruptedException {
        HttpRequest start = HttpRequest.newBuilder(base.resolve("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> started = HTTP.send(start, HttpResponse.BodyHandlers.ofString());
        expect(202, started, "upload start in " + repository);
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = base.resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + blob.digest());
        // ofInputStream with a known length: sent with Content-Length, generated as it is sent.
        HttpRequest put = HttpRequest.newBuilder(upload)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(blob.source()), blob.size()))
                .build();
        expect(201, HTTP.send(put, HttpResponse.BodyHandlers.ofString()), "blob push to " + repository);
    }

    private static void expect(int status, HttpResponse<String> response, String what) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(what + ": " + response.request().method() + " " + response.uri()
                    + " answered " + response.statusCode() + " " + response.body());
        }
    }
}

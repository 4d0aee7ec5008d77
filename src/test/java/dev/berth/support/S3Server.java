package dev.berth.support;

import dev.berth.storage.S3Settings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for tests: s3proxy in this JVM, on a free loopback port, storing buckets as directories under a
 * directory the test gives (jclouds' filesystem backend), and accepting only {@link #ACCESS_KEY} with
 * {@link #SECRET_KEY} (AWS signature V4). {@link #stop()} makes it unreachable, for outage tests.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "berth-test-access";
    public static final String SECRET_KEY = "berth-test-secret-7f3a9c";
    public static final String REGION = "us-east-1";

    private final BlobStoreContext blobs;
    private S3Proxy proxy;
    private final String host;
    private final URI endpoint;

    private S3Server(BlobStoreContext blobs, S3Proxy proxy, String host) {
        this.blobs = blobs;
        this.proxy = proxy;
        this.host = host;
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Starts a server keeping its buckets under {@code directory}. */
    public static S3Server start(Path directory) throws Exception {
        return start(directory, "127.0.0.1", 0);
    }

    /** Starts a server keeping its buckets under {@code directory}, listening on {@code host} and {@code port}. */
    public static S3Server start(Path directory, String host, int port) throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", directory.toAbsolutePath().toString());
        BlobStoreContext blobs = ContextBuilder.newBuilder("filesystem").overrides(properties)
                .build(BlobStoreContext.class);
        try {
            return new S3Server(blobs, started(blobs, host, port), host);
        } catch (Exception | AssertionError e) {
            blobs.close();
            throw e;
        }
    }

    private static S3Proxy started(BlobStoreContext blobs, String host, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs.getBlobStore())
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        Poll.until(() -> proxy.getState().equals("STARTED"), "s3proxy to start");
        return proxy;
    }

    /** Answers again, on the same port and with the same buckets, after {@link #stop()}. */
    public void restart() throws Exception {
        proxy = started(blobs, host, endpoint.getPort());
    }

    /** Where clients reach it: {@code http://127.0.0.1:PORT}, with path-style bucket addressing. */
    public URI endpoint() {
        return endpoint;
    }

    /** How berth reaches {@code bucket} here: path-style, with this server's keys. */
    public S3Settings settings(String bucket) {
        return new S3Settings(Optional.of(endpoint), REGION, bucket, true, ACCESS_KEY, SECRET_KEY);
    }

    /**
     * berth's {@code storage} section for {@code bucket} here, with this server's keys, scratch files under
     * {@code root} and {@code options} (such as {@code ", redirect: true"}) added to the {@code s3} entry.
     */
    public String storageYaml(Path root, String bucket, String options) {
        return "{root: '" + root + "', s3: {endpoint: '" + endpoint + "', bucket: " + bucket + ", access-key: "
                + ACCESS_KEY + ", secret-key: " + SECRET_KEY + options + "}}";
    }

    /** Creates an empty bucket. */
    public void createBucket(String name) {
        blobs.getBlobStore().createContainerInLocation(null, name);
    }

    /** Stores an object straight into the backend, past the S3 API: quick fixtures (a thousand keys). */
    public void put(String bucket, String key, byte[] content) {
        BlobStore store = blobs.getBlobStore();
        store.putBlob(bucket, store.blobBuilder(key).payload(content).build());
    }

    /** Stops answering: connections to {@link #endpoint()} are refused from now on. */
    public void stop() throws Exception {
        proxy.stop();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            blobs.close();
        }
    }
}

package dev.berth.http;

import dev.berth.oci.OciError;
import dev.berth.oci.RegistryException;
import dev.berth.storage.StorageUnavailableException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers a request that the store could not serve right now (an S3 service unreachable or refusing) with 503 and a
 * Retry-After, never a 500: the request was fine and may be sent again. The store's own message, which names keys,
 * goes to the log (at most once every few seconds, however many requests fail), not to the client.
 */
final class StoreOutage {
    private static final Logger LOG = System.getLogger(StoreOutage.class.getName());
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final AtomicLong lastLogged = new AtomicLong();

    private StoreOutage() {
    }

    static void send(ServerRequest req, ServerResponse res, StorageUnavailableException e) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if ((last == 0 || now - last > RETRY_AFTER.toNanos()) && lastLogged.compareAndSet(last, now)) {
            LOG.log(Logger.Level.WARNING, "the store cannot serve requests: " + e.getMessage());
        }
        ErrorResponses.send(req, res, new RegistryException(OciError.UNAVAILABLE,
                "berth's store cannot be reached right now; nothing was lost, try again shortly")
                .withHeader("Retry-After", String.valueOf(RETRY_AFTER.toSeconds())));
    }
}

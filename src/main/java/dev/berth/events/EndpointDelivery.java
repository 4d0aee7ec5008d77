package dev.berth.events;

import dev.berth.config.BerthConfig;
import dev.berth.storage.FileQueue;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One notification endpoint: its queue on disk and the thread that empties it, a POST per batch, oldest first. A
 * batch leaves the queue only once the endpoint answered 2xx (at least once); any other answer, a redirect (never
 * followed), a timeout or a refused connection is retried after a wait that doubles up to the endpoint's maximum.
 */
final class EndpointDelivery implements AutoCloseable {
    private static final Logger LOG = System.getLogger(EndpointDelivery.class.getName());
    /** Events per POST, as registry:2 sends them in small batches: a receiver parses each in one go. */
    static final int BATCH = 100;
    private static final Duration IDLE_WAIT = Duration.ofSeconds(1);

    private final BerthConfig.Endpoint config;
    private final String name;
    private final FileQueue queue;
    private final DeliveryEvents metrics;
    private final HttpClient client;
    private final Thread sender;
    private volatile boolean closing;
    private boolean queueFailing;

    EndpointDelivery(BerthConfig.Endpoint config, FileQueue queue, DeliveryEvents metrics) {
        this.config = config;
        this.name = config.name();
        this.queue = queue;
        this.metrics = metrics;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.timeout())
                .build();
        metrics.watchQueue(name, queue::size);
        this.sender = Thread.ofVirtual().name("notify " + name).unstarted(this::sendLoop);
    }

    /** The endpoint as metrics and logs name it: its URL without credentials or query. */
    String name() {
        return name;
    }

    void start() {
        sender.start();
    }

    /** Whether this endpoint wants {@code act}. */
    boolean wants(Act act) {
        return act.notified() && (config.actions().isEmpty() || config.actions().contains(act.text()));
    }

    /**
     * Queues one event (as {@link Envelope#event} wrote it); a full queue drops its oldest, counted. Called by the
     * spool thread only.
     */
    void enqueue(byte[] event) {
        try {
            int dropped = queue.append(event);
            if (dropped > 0) {
                metrics.dropped(name, dropped);
            }
            if (queueFailing) {
                LOG.log(Level.INFO, "notifications to " + name + " are queued again");
                queueFailing = false;
            }
        } catch (UncheckedIOException e) {
            metrics.dropped(name, 1);
            if (!queueFailing) {
                // Once per streak: a full disk fails every event.
                LOG.log(Level.WARNING, "notifications to " + name + ": events are dropped until they can be"
                        + " queued: " + e.getMessage() + " (" + e.getCause().getMessage() + ")");
                queueFailing = true;
            }
        }
    }

    private void sendLoop() {
        Duration backoff = config.backoff();
        boolean failing = false;
        while (!closing) {
            try {
                List<FileQueue.Entry> batch = queue.head(BATCH, IDLE_WAIT);
                if (closing) {
                    // An interrupt may have cut the reads short, making records look unreadable: leave them be.
                    return;
                }
                if (batch.isEmpty()) {
                    continue;
                }
                List<byte[]> events = batch.stream().map(FileQueue.Entry::bytes).filter(b -> b.length > 0).toList();
                String failure = events.isEmpty() ? null : post(Envelope.batch(events));
                if (failure == null) {
                    queue.removeThrough(batch.getLast().sequence());
                    metrics.sent(name, events.size());
                    if (failing) {
                        LOG.log(Level.INFO, "notifications to " + name + " are delivered again");
                    }
                    failing = false;
                    backoff = config.backoff();
                    continue;
                }
                metrics.failed(name);
                if (!failing) {
                    // Once per outage, not per retry: an endpoint down for hours would fill the log.
                    LOG.log(Level.WARNING, "notifications to " + name + " failed (" + failure + "); retrying, "
                            + queue.size() + " events queued");
                }
                failing = true;
                Thread.sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(config.maxBackoff()) > 0 ? config.maxBackoff()
                        : backoff.multipliedBy(2);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "notifications to " + name + ": " + e);
            }
        }
    }

    /** POSTs {@code body}; null when the endpoint took it, else why not. */
    private String post(byte[] body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(config.url().toString()))
                .timeout(config.timeout())
                .header("Content-Type", Envelope.MEDIA_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.headers().forEach(request::header);
        CompletableFuture<HttpResponse<Void>> exchange;
        try {
            exchange = client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        // Asynchronous only to bound the whole exchange: the timeout of the request ends at the answer's head, and an
        // endpoint could then trickle its body for ever.
        try {
            HttpResponse<Void> response = exchange.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return null;
            }
            if (status >= 300 && status < 400) {
                return "answered " + status + ", a redirect, which is not followed: configure the URL it names, "
                        + response.headers().firstValue("Location").orElse("(no Location)");
            }
            return "answered " + status;
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return "no answer within " + config.timeout().toMillis() + "ms";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        } catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        }
    }

    @Override
    public void close() {
        closing = true;
        sender.interrupt();
        try {
            sender.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Not close(), which waits for exchanges to end: a hung endpoint would hold the shutdown.
        client.shutdownNow();
    }
}

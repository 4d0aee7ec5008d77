package dev.berth.upstream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tokens by scope until shortly before they expire. Single-flight: while one caller fetches a scope's token, the
 * others wait for that same fetch and all see its result, so a burst of cold requests makes one token request.
 */
final class TokenCache {
    /** Fetches a token; may block. */
    @FunctionalInterface
    interface Fetch {
        BearerToken fetch() throws IOException;
    }

    private final Clock clock;
    private final ConcurrentMap<String, CompletableFuture<BearerToken>> entries = new ConcurrentHashMap<>();

    TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** The cached token for {@code scope} if it is fresh; never blocks, never fetches. */
    Optional<BearerToken> peek(String scope) {
        CompletableFuture<BearerToken> entry = entries.get(scope);
        return entry != null && usable(entry) ? Optional.of(entry.join()) : Optional.empty();
    }

    /**
     * The fresh token for {@code scope}, fetching it (once, however many callers ask at the same time) if needed; a
     * caller waiting for another's fetch gives up at its own {@code deadline} (null: none), not at the fetch's.
     */
    BearerToken get(String scope, Deadline deadline, Fetch fetch) throws IOException {
        while (true) {
            CompletableFuture<BearerToken> mine = new CompletableFuture<>();
            CompletableFuture<BearerToken> current = entries.putIfAbsent(scope, mine);
            if (current == null) {
                return fill(scope, mine, fetch);
            }
            if (!current.isDone()) {
                return await(current, deadline);
            }
            if (usable(current)) {
                return current.join();
            }
            // Stale: remove exactly this entry, so only one of the callers racing here installs the next fetch.
            entries.remove(scope, current);
        }
    }

    /**
     * Forgets the scope's token if it is the one in {@code authorization}, which the upstream just refused. A token
     * that another request already replaced is left alone, so concurrent refusals cause one refresh, not many.
     */
    void invalidate(String scope, String authorization) {
        if (authorization == null) {
            return;
        }
        entries.computeIfPresent(scope, (key, entry) ->
                usable(entry) && entry.join().authorization().equals(authorization) ? null : entry);
    }

    private BearerToken fill(String scope, CompletableFuture<BearerToken> mine, Fetch fetch) throws IOException {
        try {
            BearerToken token = fetch.fetch();
            mine.complete(token);
            return token;
        } catch (IOException | RuntimeException e) {
            // Waiters get this failure; the next caller after them tries again.
            entries.remove(scope, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    private static BearerToken await(CompletableFuture<BearerToken> pending, Deadline deadline) throws IOException {
        try {
            return deadline == null ? pending.join() : pending.get(deadline.left(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new InterruptedIOException("timeout");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            // Wrapped, not rethrown: the fetching thread rethrows the same instance, and the cause keeps its details.
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private boolean usable(CompletableFuture<BearerToken> entry) {
        return entry.isDone() && !entry.isCompletedExceptionally() && entry.join().isFresh(clock.instant());
    }
}

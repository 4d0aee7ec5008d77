package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.storage.FileSystemStorage;
import dev.berth.storage.ForwardingStorage;
import dev.berth.storage.Storage;
import dev.berth.support.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sign-outs as two instances sharing a store see them: at once here, after a refresh there, bounded and expiring. */
class EndedSessionsTest {
    private static final Duration TTL = Duration.ofHours(8);

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T00:00:00Z"));

    private VerifiedToken session(String user) {
        Instant now = clock.instant();
        return new VerifiedToken(Principal.user(user), List.of(), UUID.randomUUID().toString(), now, now.plus(TTL));
    }

    @Test
    void aSignOutCountsHereAtOnceAndOnTheOtherInstanceAfterItsRefresh() {
        Storage storage = new FileSystemStorage(root);
        EndedSessions here = new EndedSessions(storage, clock, TTL);
        EndedSessions there = new EndedSessions(storage, clock, TTL);
        there.refresh();
        VerifiedToken signedOut = session("alice");
        VerifiedToken other = session("alice");

        here.end(signedOut);
        assertTrue(here.isEnded(signedOut));
        assertFalse(there.isEnded(signedOut), "not before the other instance looks");
        there.refresh();
        assertTrue(there.isEnded(signedOut));
        assertFalse(there.isEnded(other), "only the session signed out");
        EndedSessions restarted = new EndedSessions(storage, clock, TTL);
        restarted.refresh();
        assertTrue(restarted.isEnded(signedOut), "a restart forgets no sign-out");

        clock.advance(TTL);
        there.refresh();
        assertEquals(List.of(), storage.list(EndedSessions.PREFIX), "gone once the session would have expired anyway");
    }

    @Test
    void manySignOutsOfOneUserFoldIntoOneThatEndsAllOfItsEarlierSessions() {
        Storage storage = new FileSystemStorage(root);
        EndedSessions ended = new EndedSessions(storage, clock, TTL);
        VerifiedToken kept = session("alice");
        VerifiedToken bobs = session("bob");
        for (int i = 0; i < EndedSessions.PER_USER; i++) {
            ended.end(session("alice"));
            ended.refresh();
        }
        assertFalse(ended.isEnded(kept));
        clock.advance(Duration.ofSeconds(1));

        VerifiedToken last = session("alice");
        ended.end(last);
        ended.refresh();
        assertEquals(2, storage.list(EndedSessions.PREFIX).size(), "the fold and the last sign-out, nothing more");
        assertTrue(ended.isEnded(last));
        assertTrue(ended.isEnded(kept), "every session of alice from before the fold has ended");
        assertFalse(ended.isEnded(bobs));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(ended.isEnded(session("alice")), "she signs in again");
    }

    @Test
    void aSignOutTheStoreCouldNotTakeIsWrittenByALaterRefresh() {
        FailingWrites storage = new FailingWrites(new FileSystemStorage(root));
        EndedSessions here = new EndedSessions(storage, clock, TTL);
        EndedSessions there = new EndedSessions(storage, clock, TTL);
        VerifiedToken signedOut = session("alice");

        storage.failing = true;
        here.end(signedOut);
        assertTrue(here.isEnded(signedOut), "ended here whatever the store did");
        storage.failing = false;
        here.refresh();
        there.refresh();
        assertTrue(there.isEnded(signedOut));
    }

    /** A store whose writes fail while {@link #failing}. */
    private static final class FailingWrites extends ForwardingStorage {
        volatile boolean failing;

        FailingWrites(Storage store) {
            super(store);
        }

        @Override
        public void write(String key, byte[] content) {
            if (failing) {
                throw new UncheckedIOException(new IOException("the store is down"));
            }
            store.write(key, content);
        }
    }
}

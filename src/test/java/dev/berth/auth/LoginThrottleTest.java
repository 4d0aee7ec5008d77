package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.berth.support.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The throttle's decisions: whom a failure counts against, whom a success forgives, and attempts in flight. */
class LoginThrottleTest {
    private final LoginThrottle throttle = new LoginThrottle();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    private Duration fail(String address, String user) {
        LoginThrottle.Attempt attempt = throttle.begin(address, user);
        throttle.end(attempt, false);
        return attempt.delay();
    }

    private Duration succeed(String address, String user) {
        LoginThrottle.Attempt attempt = throttle.begin(address, user);
        throttle.end(attempt, true);
        return attempt.delay();
    }

    @Test
    void failuresPastTheFreeOnesAreDelayedDoublingToTheCap() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            delays.add(fail("10.0.0.1", "alice").toSeconds());
        }
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 1L, 2L, 4L, 8L, 16L, 16L), delays);
    }

    @Test
    void anAttemptWithoutVerdictCountsNeitherWay() {
        for (int i = 0; i < 4; i++) {
            fail("10.0.0.1", "carol");
        }
        for (int i = 0; i < 10; i++) {
            throttle.endUnchecked(throttle.begin("10.0.0.1", "carol"));
        }
        assertEquals(Duration.ZERO, fail("10.0.0.1", "carol"), "unanswered attempts are no failures");
        assertEquals(Duration.ofSeconds(1), fail("10.0.0.1", "carol"), "nor did they forgive the failures");
    }

    @Test
    void aSuccessForgivesOnlyTheFailuresOfItsOwnAddressOnItsOwnAccount() {
        for (int i = 0; i < 5; i++) {
            fail("10.0.0.1", "alice");
        }
        assertEquals(Duration.ofSeconds(1), succeed("10.0.0.1", "mallory"), "the address is slowed down for anyone");
        assertEquals(Duration.ofSeconds(1), fail("10.0.0.1", "alice"), "mallory's success forgave nothing");
        assertEquals(Duration.ofSeconds(2), succeed("10.0.0.1", "alice"));
        assertEquals(Duration.ZERO, succeed("10.0.0.1", "alice"), "her own success forgave her failures there");
        assertEquals(Duration.ZERO, succeed("10.0.0.2", "bob"), "another address on another account: never slowed");
    }

    @Test
    void guessesFromManyAddressesAreSlowedByTheAccountButNotWhereItsOwnerLoggedIn() {
        succeed("10.0.0.100", "alice");
        for (int i = 1; i <= 5; i++) {
            assertEquals(Duration.ZERO, fail("10.0.0." + i, "alice"));
        }
        assertEquals(Duration.ofSeconds(1), fail("10.0.0.6", "alice"));
        assertEquals(Duration.ZERO, succeed("10.0.0.100", "alice"), "where she logged in before");
        assertEquals(Duration.ZERO, succeed("10.0.0.7", "bob"));
    }

    @Test
    void aGuessArrivingWhileOthersAreCheckedWaitsForThemAndThenOneAtATime() throws Exception {
        List<LoginThrottle.Attempt> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(throttle.begin("10.0.0.1", "alice"));
        }
        CompletableFuture<LoginThrottle.Attempt> sixth = waiting("10.0.0.1", "alice");
        throttle.end(inFlight.removeFirst(), false);
        Poll.until(() -> !sixth.isDone() && blocked(), "the sixth to wait while four are still checked");
        inFlight.forEach(attempt -> throttle.end(attempt, false));

        LoginThrottle.Attempt sixthAttempt = sixth.get(5, TimeUnit.SECONDS);
        assertEquals(Duration.ofSeconds(1), sixthAttempt.delay(), "as if the earlier ones had failed: they did");
        TooManyLogins refused = assertThrows(TooManyLogins.class, () -> throttle.begin("10.0.0.1", "alice"));
        assertEquals("2", refused.retryAfterSeconds());
        assertThrows(TooManyLogins.class, () -> throttle.begin("10.0.0.1", "bob"), "the address is busy too");
        throttle.end(sixthAttempt, false);
        assertEquals(Duration.ofSeconds(2), fail("10.0.0.1", "alice"));
    }

    @Test
    void anAccountsAttemptFromAnotherAddressWaitsForTheGuessInFlightInsteadOfBeingRefused() throws Exception {
        for (int i = 0; i < 6; i++) {
            fail("10.0.0.1", "alice");
        }
        LoginThrottle.Attempt guess = throttle.begin("10.0.0.1", "alice");
        CompletableFuture<LoginThrottle.Attempt> owner = waiting("10.0.0.9", "alice");
        Poll.until(() -> !owner.isDone() && blocked(), "alice's login to wait for the guess in flight");
        assertThrows(TooManyLogins.class, () -> throttle.begin("10.0.0.1", "bob"),
                "the guesser's own address still gets one attempt at a time");
        throttle.end(guess, false);
        assertEquals(Duration.ofSeconds(4), owner.get(5, TimeUnit.SECONDS).delay(),
                "then checked, after the delay of the account's seven failures");
    }

    @Test
    void parallelRequestsWithTheRightPasswordWaitOnlyForTheOutcomeOfTheOthers() throws Exception {
        List<LoginThrottle.Attempt> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(throttle.begin("10.0.0.1", "alice"));
        }
        CompletableFuture<LoginThrottle.Attempt> sixth = waiting("10.0.0.1", "alice");
        Poll.until(this::blocked, "the sixth to wait");
        throttle.end(inFlight.removeFirst(), true);
        assertEquals(Duration.ZERO, sixth.get(5, TimeUnit.SECONDS).delay());
    }

    private CompletableFuture<LoginThrottle.Attempt> waiting(String address, String user) {
        return CompletableFuture.supplyAsync(() -> throttle.begin(address, user), threads);
    }

    /** Whether one of the test's threads waits in the throttle. */
    private boolean blocked() {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getState()
                == Thread.State.TIMED_WAITING && Arrays.toString(e.getValue()).contains("LoginThrottle.begin"));
    }
}

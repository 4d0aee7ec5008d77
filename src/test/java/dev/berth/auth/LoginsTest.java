package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Checks run under the login throttle: what counts as a failed login. */
class LoginsTest {
    @Test
    void aCheckThatGetsNoAnswerIsNoFailedLogin() {
        Logins logins = new Logins(Accounts.NONE);
        for (int i = 0; i < 10; i++) {
            assertThrows(UpstreamLogins.Unanswered.class, () -> logins.throttled("10.0.0.1", "anna", () -> {
                throw new UpstreamLogins.Unanswered("the upstream's token service did not answer");
            }, answer -> true));
        }
        // Counted as failures, these would hold the next login from the address back for 16 seconds.
        assertEquals("granted", assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> logins.throttled("10.0.0.1", "alice", () -> "granted", answer -> true)));
    }
}

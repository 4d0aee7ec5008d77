package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.storage.FileSystemStorage;
import dev.berth.support.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of credentials checked into a caller, or refused with its reason, without any HTTP. */
class AuthenticatorTest {
    private static final String CLIENT = "192.0.2.7";

    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
    /** An account source other than htpasswd, as a directory would be: what the authenticator asks is all it sees. */
    private final Accounts directory = new Accounts() {
        private final Map<String, String> passwords = Map.of("alice", "right");

        @Override
        public boolean verify(String user, String password) {
            return password.equals(passwords.get(user));
        }

        @Override
        public Optional<String> fingerprint(String user) {
            return passwords.containsKey(user) ? Optional.of("f-" + user) : Optional.empty();
        }
    };
    private final Tokens tokens = new Tokens("berth", Duration.ofMinutes(5), clock, directory);
    private Sessions sessions;
    private Authenticator authenticator;

    @BeforeEach
    void setUp() {
        sessions = new Sessions(new Tokens(Sessions.SERVICE, Sessions.TTL, clock, directory),
                new EndedSessions(new FileSystemStorage(root), clock, Sessions.TTL));
        authenticator = new Authenticator(new Logins(directory), tokens, sessions);
    }

    @Test
    void aPasswordOfAnAccountIsACallerByPassword() {
        Caller caller = authenticator.check(new Credentials.Password("alice", "right"), CLIENT, true);
        assertEquals(Principal.user("alice"), caller.principal());
        assertEquals(Caller.Proof.PASSWORD, caller.proof());
        assertTrue(caller.token().isEmpty());
        assertTrue(caller.local(), "where the request came from is the HTTP layer's to say, and kept");
        assertEquals(CredentialsRefused.Reason.WRONG_PASSWORD, refused(new Credentials.Password("alice", "wrong")));
        assertEquals(CredentialsRefused.Reason.WRONG_PASSWORD, refused(new Credentials.Password("nobody", "right")));
    }

    @Test
    void aTokenIsACallerWithItsScope() {
        Scope pull = new Scope("team/app", EnumSet.of(Action.PULL));
        String issued = tokens.issue(Principal.user("alice"), List.of(pull)).token();
        Caller caller = authenticator.check(new Credentials.Token(issued), CLIENT, false);
        assertEquals(Principal.user("alice"), caller.principal());
        assertEquals(Caller.Proof.TOKEN, caller.proof());
        assertTrue(caller.token().orElseThrow().grants("team/app", Action.PULL));
        assertFalse(caller.token().orElseThrow().grants("team/app", Action.PUSH));

        String anonymous = tokens.issue(Principal.ANONYMOUS, List.of()).token();
        assertTrue(authenticator.check(new Credentials.Token(anonymous), CLIENT, false).presentedCredentials(),
                "an anonymous token is still credentials presented");
        assertEquals(CredentialsRefused.Reason.INVALID_TOKEN, refused(new Credentials.Token("not.a.token")));
        assertEquals(CredentialsRefused.Reason.INVALID_TOKEN,
                refused(new Credentials.Token(sessions.open(Principal.user("alice")))), "a session is no token");
        clock.advance(Duration.ofMinutes(6));
        assertEquals(CredentialsRefused.Reason.INVALID_TOKEN, refused(new Credentials.Token(issued)), "expired");
    }

    @Test
    void aSessionIsACallerUntilItEnds() {
        String session = sessions.open(Principal.user("alice"));
        Caller caller = authenticator.check(new Credentials.Session(session), CLIENT, false);
        assertEquals(Principal.user("alice"), caller.principal());
        assertEquals(Caller.Proof.SESSION, caller.proof());

        assertEquals(CredentialsRefused.Reason.SESSION_ENDED,
                refused(new Credentials.Session(tokens.issue(Principal.user("alice"), List.of()).token())),
                "a registry token is no session");
        sessions.end(session);
        assertEquals(CredentialsRefused.Reason.SESSION_ENDED, refused(new Credentials.Session(session)));
    }

    @Test
    void nothingPresentedIsAnAnonymousCaller() {
        Caller caller = Caller.anonymous(false);
        assertTrue(caller.principal().isAnonymous());
        assertFalse(caller.presentedCredentials());
    }

    @Test
    void basicCredentialsDecodeToAPasswordAndNeverPrintIt() {
        Credentials.Password password = Credentials.Password.decodeBasic(" YWxpY2U6cjppZ2h0 ").orElseThrow();
        assertEquals(new Credentials.Password("alice", "r:ight"), password);
        assertFalse(password.toString().contains("ight"));
        assertTrue(Credentials.Password.decodeBasic("bm8gY29sb24=").isEmpty(), "no colon");
        assertTrue(Credentials.Password.decodeBasic("%%%").isEmpty(), "not base64");
    }

    private CredentialsRefused.Reason refused(Credentials presented) {
        return assertThrows(CredentialsRefused.class, () -> authenticator.check(presented, CLIENT, false)).reason();
    }
}

package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.auth.UpstreamLogins.Answer;
import dev.berth.auth.UpstreamLogins.Question;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may pull the cached content of an upstream that decides for itself ({@code access: caller}): the upstream, asked
 * with the caller's own login. Each answer is remembered per user, password and repository for the upstream's
 * {@code access-ttl}, so a pull's many requests cost the upstream one question, and a remembered answer keeps being
 * given while the upstream is down. What is remembered is keyed by an HMAC of the user, the password and the
 * repository under a key of this process: the password itself is neither kept nor logged. Fresh questions count as
 * logins in the one throttle, so berth cannot be used to guess passwords at an upstream faster than at berth.
 */
public final class CallerAccess {
    private static final Logger LOG = System.getLogger(CallerAccess.class.getName());
    /** Remembered answers: bounded, so a client trying many passwords or names cannot grow it. */
    private static final int MAX_REMEMBERED = 10_000;

    private final UpstreamLogins upstreams;
    private final Logins logins;
    private final Clock clock;
    private final byte[] key = new byte[32];
    private final Cache<String, Remembered> remembered = Caffeine.newBuilder().maximumSize(MAX_REMEMBERED).build();
    /** The upstreams whose last check went unanswered: an outage is logged when it starts and when it ends. */
    private final Set<String> unanswering = ConcurrentHashMap.newKeySet();

    /** An answer and until when it is given without asking again. */
    private record Remembered(Answer answer, Instant until) {
    }

    public CallerAccess(UpstreamLogins upstreams, Logins logins, Clock clock) {
        this.upstreams = upstreams;
        this.logins = logins;
        this.clock = clock;
        new SecureRandom().nextBytes(key);
    }

    /** Whether an upstream, not berth's rules, decides who may pull the repository stored as {@code storedName}. */
    public boolean upstreamDecides(String storedName) {
        return upstreams.deciding(storedName).isPresent();
    }

    /** Whether any upstream decides for itself: then a login berth does not know may still be an upstream's. */
    public boolean anyUpstreamDecides() {
        return !upstreams.logins().isEmpty();
    }

    /**
     * Whether {@code user} names one of berth's own accounts: then the login is berth's alone, and its password is
     * never sent to an upstream.
     */
    public boolean berthAccount(String user) {
        return logins.hasAccount(user);
    }

    /** The registry that decides for the repository stored as {@code storedName} (one it decides for). */
    public String registryOf(String storedName) {
        return upstreams.deciding(storedName).orElseThrow().registry();
    }

    /**
     * How long the decision for the repository stored as {@code storedName} (one an upstream decides for) is
     * remembered: a token carrying it lasts no longer, so a right the upstream takes back ends within twice this.
     */
    public Duration remembered(String storedName) {
        return upstreams.deciding(storedName).orElseThrow().remember();
    }

    /**
     * What the upstream says of {@code user} (with {@code password}, asking from {@code client}) pulling the
     * repository stored as {@code storedName}, which it decides for.
     *
     * @throws CredentialsRefused        when the throttle holds the attempt back ({@code THROTTLED})
     * @throws UpstreamLogins.Unanswered when the upstream cannot tell in time and no answer is remembered
     */
    public Answer pull(String client, String user, String password, String storedName) {
        return decide(client, user, password, upstreams.deciding(storedName).orElseThrow());
    }

    /**
     * Whether the login is good at some upstream that decides for itself (asked in configuration order): GRANTED when
     * one takes it, REFUSED when all refuse it.
     *
     * @throws CredentialsRefused        when the throttle holds the attempt back ({@code THROTTLED})
     * @throws UpstreamLogins.Unanswered when none took it and one could not tell
     */
    public Answer login(String client, String user, String password) {
        UpstreamLogins.Unanswered unanswered = null;
        for (Question question : upstreams.logins()) {
            try {
                if (decide(client, user, password, question) != Answer.REFUSED) {
                    return Answer.GRANTED;
                }
            } catch (UpstreamLogins.Unanswered e) {
                unanswered = e;
            }
        }
        if (unanswered != null) {
            throw unanswered;
        }
        return Answer.REFUSED;
    }

    private Answer decide(String client, String user, String password, Question question) {
        String id = id(question, user, password);
        Remembered known = remembered.getIfPresent(id);
        if (known != null && clock.instant().isBefore(known.until())) {
            return known.answer();
        }
        Answer answer;
        try {
            answer = logins.throttled(client, user, () -> upstreams.ask(question, user, password),
                    a -> a != Answer.REFUSED);
        } catch (TooManyLogins e) {
            throw new CredentialsRefused(e);
        } catch (UpstreamLogins.Unanswered e) {
            if (unanswering.add(question.registry())) {
                LOG.log(Logger.Level.WARNING, "upstream " + question.registry() + " cannot tell whether callers may"
                        + " pull (access: caller): " + e.getMessage() + "; token requests that need its fresh"
                        + " answer get 503 until it answers");
            }
            throw e;
        }
        if (unanswering.remove(question.registry())) {
            LOG.log(Logger.Level.INFO, "upstream " + question.registry() + " answers berth's checks of callers'"
                    + " logins again");
        }
        remembered.put(id, new Remembered(answer, clock.instant().plus(question.remember())));
        return answer;
    }

    /** The key an answer is remembered by: an HMAC, each part length-prefixed so no two questions share it. */
    private String id(Question question, String user, String password) {
        StringBuilder parts = new StringBuilder();
        for (String part : new String[] {question.registry(), question.repository().orElse(""), user, password}) {
            parts.append(part.length()).append(':').append(part);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(parts.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}

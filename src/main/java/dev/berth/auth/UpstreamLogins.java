package dev.berth.auth;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The upstreams that decide themselves who may pull what berth cached of them ({@code access: caller}), as
 * {@link CallerAccess} asks them: with the caller's own login, never berth's.
 */
public interface UpstreamLogins {
    /** No such upstream: berth's rules decide everywhere. */
    UpstreamLogins NONE = new UpstreamLogins() {
        @Override
        public Optional<Question> deciding(String storedName) {
            return Optional.empty();
        }

        @Override
        public List<Question> logins() {
            return List.of();
        }

        @Override
        public Answer ask(Question question, String user, String password) {
            throw new IllegalStateException("no upstream decides who may pull");
        }
    };

    /**
     * What to ask the upstream {@code registry}: whether a login may pull {@code repository} (its name there), or with
     * none, whether the login is good; its answer is remembered for {@code remember}.
     */
    record Question(String registry, Optional<String> repository, Duration remember) {
    }

    /** What the upstream answered. */
    enum Answer {
        /** The login may pull the repository (asked of the login alone: it is good). */
        GRANTED,
        /** The login is good but may not pull the repository. */
        DENIED,
        /** The upstream refused the login: wrong user name or password. */
        REFUSED
    }

    /** The upstream did not answer in time, or answered nonsense; the message says which and where. */
    final class Unanswered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unanswered(String message) {
            super(message, null, false, false);
        }
    }

    /** The question that decides pulls of the repository stored as {@code storedName}; empty: berth's rules decide. */
    Optional<Question> deciding(String storedName);

    /** The questions that check a login alone, one per such upstream, in configuration order. */
    List<Question> logins();

    /**
     * Asks the upstream.
     *
     * @throws Unanswered when it cannot tell in time
     */
    Answer ask(Question question, String user, String password);
}

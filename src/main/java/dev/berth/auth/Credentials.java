package dev.berth.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What a client presented to say who it is, as read from a request (the HTTP layer reads it; {@link Authenticator}
 * checks it). New kinds of proof (access tokens, a sign-in at an identity provider) are new cases here.
 */
public sealed interface Credentials {
    /** A user name and password: HTTP Basic, or the fields of a login form. */
    record Password(String user, String password) implements Credentials {
        /** Decodes the part after {@code Basic }; empty when it is not base64 of {@code user:password}. */
        public static Optional<Password> decodeBasic(String encoded) {
            String text;
            try {
                text = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = text.indexOf(':');
            return colon < 0 ? Optional.empty()
                    : Optional.of(new Password(text.substring(0, colon), text.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return "Password[user=" + user + "]";
        }
    }

    /** A token of berth's token endpoint ({@code Authorization: Bearer}). */
    record Token(String value) implements Credentials {
        @Override
        public String toString() {
            return "Token[...]";
        }
    }

    /** The web page's session ({@link Sessions#COOKIE}). */
    record Session(String value) implements Credentials {
        @Override
        public String toString() {
            return "Session[...]";
        }
    }
}

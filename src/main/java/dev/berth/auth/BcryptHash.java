package dev.berth.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A bcrypt password hash ({@code $2y$}, {@code $2a$} or {@code $2b$}) as {@code htpasswd -B} writes it. */
public final class BcryptHash {
    /** The cost of the hashes berth makes: about 50-100 ms per check on current hardware. */
    public static final int DEFAULT_COST = 10;
    /** bcrypt reads this many bytes of a password; any after them make no difference. */
    public static final int MAX_PASSWORD_BYTES = 72;

    // Costs 4..17 are what htpasswd -C accepts; a higher one would make every login take many seconds.
    private static final Pattern FORMAT = Pattern.compile("\\$2[aby]\\$(0[4-9]|1[0-7])\\$[./A-Za-z0-9]{53}");

    // No long-password strategy: like Apache's bcrypt, the key schedule then reads the first 72 bytes of a longer
    // password, where the library's default would refuse it and its "truncate" would hash different bytes.
    private static final BCrypt.Verifyer VERIFYER = BCrypt.verifyer(null, LongPasswordStrategies.none());
    private static final BCrypt.Hasher HASHER =
            BCrypt.with(BCrypt.Version.VERSION_2Y, LongPasswordStrategies.none());

    private final String encoded;
    private final int cost;

    private BcryptHash(String encoded, int cost) {
        this.encoded = encoded;
        this.cost = cost;
    }

    /** The hash in {@code text}, if it is a bcrypt hash berth accepts. */
    public static Optional<BcryptHash> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        return m.matches() ? Optional.of(new BcryptHash(text, Integer.parseInt(m.group(1)))) : Optional.empty();
    }

    /** A new {@code $2y$} hash of {@code password} (its bytes, usually UTF-8) at {@link #DEFAULT_COST}. */
    public static BcryptHash of(byte[] password) {
        return of(password, DEFAULT_COST);
    }

    static BcryptHash of(byte[] password, int cost) {
        return new BcryptHash(new String(HASHER.hash(cost, password), StandardCharsets.US_ASCII), cost);
    }

    /** Whether {@code password} hashes to this hash; takes as long whatever the answer. */
    public boolean matches(byte[] password) {
        return VERIFYER.verify(password, encoded.getBytes(StandardCharsets.US_ASCII)).verified;
    }

    /** The cost factor: the check runs 2^cost rounds. */
    public int cost() {
        return cost;
    }

    /** The hash as it is written in an htpasswd file: a secret, never to be logged. */
    public String encoded() {
        return encoded;
    }

    @Override
    public String toString() {
        return "BcryptHash[cost " + cost + "]";
    }
}

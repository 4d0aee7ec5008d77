package dev.berth.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.oci.NameGlob;
import dev.berth.storage.Storage;
import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

/**
 * Access tokens (robot accounts): passwords for {@code docker login -u NAME} that grant at most some actions on some
 * repositories, never more than their creator may do, until they expire or are revoked. Kept in the store, so that
 * every instance sharing it knows them: one JSON object per token under {@code tokens/active/}, named as the token,
 * and its last use apart under {@code tokens/used/} (written at most every {@link #LAST_USE_EVERY} by each instance,
 * and never over the token itself, so that a use racing a revocation cannot bring the token back).
 *
 * <p>The secret is 256 random bits, and only its SHA-256 is kept: a secret that cannot be guessed needs no slow
 * hash (bcrypt is for passwords people choose), and checking one costs next to nothing. Each instance reads a token
 * again at most {@link #REFRESH} after it last did, so a revocation or an expiry on one reaches all within seconds.
 *
 * <p>The creator's rights are checked at creation and again at every use: the token's holder gets what the rules,
 * as they are then, grant the creator (with the groups of their identity provider as they were at creation: a
 * directory cannot be asked about a user without their password), cut to what the token names. A token whose
 * creator's account has ended (no longer has a fingerprint in {@link Accounts}) stops working.
 */
public final class AccessTokens implements AccessTokenCheck {
    /** How long an instance trusts what it last read of a token. */
    public static final Duration REFRESH = Duration.ofSeconds(2);
    /** How often, at most, each instance writes a token's last use. */
    static final Duration LAST_USE_EVERY = Duration.ofMinutes(5);
    /** The most tokens berth keeps, so that listing them stays one short walk. */
    static final int MAX_TOKENS = 1000;
    static final String ACTIVE = "tokens/active";
    static final String USED = "tokens/used";
    private static final String SECRET_PREFIX = "berth_";
    private static final int SECRET_BYTES = 32;
    private static final int MAX_DOCUMENT = 16 * 1024;
    private static final Pattern SECRET = Pattern.compile("berth_[A-Za-z0-9_-]{43}");
    private static final Pattern STORED_NAME = Pattern.compile("[a-z][a-z0-9_-]{1,63}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Logger LOG = System.getLogger(AccessTokens.class.getName());

    private final Storage storage;
    private final Clock clock;
    private final Accounts accounts;
    private final Accounts creators;
    private final AccessRules rules;
    private final SecureRandom random = new SecureRandom();
    private final ReentrantLock creating = new ReentrantLock();
    private final Cache<String, Optional<AccessToken>> read = Caffeine.newBuilder().expireAfterWrite(REFRESH)
            .maximumSize(10_000).build();
    private final Cache<String, Instant> usesWritten = Caffeine.newBuilder().expireAfterWrite(LAST_USE_EVERY)
            .maximumSize(10_000).build();

    /**
     * The tokens in {@code storage}, whose rights {@code rules} say, of creators among {@code creators}: berth's
     * {@code accounts}, and with single sign-on the users the provider vouched for ({@link ProviderAccounts}). A
     * token's name may be none of {@code accounts}.
     */
    public AccessTokens(Storage storage, Clock clock, Accounts accounts, Accounts creators, AccessRules rules) {
        this.storage = storage;
        this.clock = clock;
        this.accounts = accounts;
        this.creators = creators;
        this.rules = rules;
    }

    /** A token just created, and its secret, which is shown this once and kept nowhere. */
    public record Created(AccessToken token, String secret) {
        @Override
        public String toString() {
            return "Created[" + token.name() + "]";
        }
    }

    /**
     * Creates the token {@code request} asks for, for {@code creator}.
     *
     * @throws TokenRequestRefused when the name is taken (by a token or an account), the creator is no user (or holds
     *                             a token themselves), the token would grant more than the rules grant the creator on
     *                             a glob (read as a name), or there are {@link #MAX_TOKENS} already
     */
    public Created create(Principal creator, TokenRequest request) {
        // One creation at a time here, so that two requests to this instance cannot both find a name free (a lock, not
        // synchronized, which would pin the virtual thread through the store's I/O). Two instances of a fleet creating
        // one name at the same moment both succeed and the later write wins: the other secret is then refused.
        creating.lock();
        try {
            return createLocked(creator, request);
        } finally {
            creating.unlock();
        }
    }

    private Created createLocked(Principal creator, TokenRequest request) {
        if (creator.user().isEmpty() || creator.token().isPresent()) {
            throw new TokenRequestRefused(TokenRequestRefused.Reason.BEYOND_CREATOR,
                    "only a signed-in user creates access tokens, not an access token nor an anonymous caller");
        }
        for (String glob : request.repositories()) {
            // The glob itself is asked as a name: a rule for team/* answers for team/*, a rule for team/app does not.
            // Names within the glob that another rule governs are cut down at use, by the same rules.
            Set<Action> allowed = rules.allowed(creator, glob, false);
            for (Action action : request.actions()) {
                if (!allowed.contains(action)) {
                    throw new TokenRequestRefused(TokenRequestRefused.Reason.BEYOND_CREATOR, creator.user().get()
                            + " may not " + action.scopeName() + " " + glob + ", so no token of theirs may");
                }
            }
        }
        if (accounts.fingerprint(request.name()).isPresent()) {
            throw new TokenRequestRefused(TokenRequestRefused.Reason.TAKEN, "the name " + request.name()
                    + " is an account's; choose another");
        }
        if (storage.stat(key(ACTIVE, request.name())).isPresent()) {
            throw new TokenRequestRefused(TokenRequestRefused.Reason.TAKEN, "a token named " + request.name()
                    + " exists already; revoke it first, or choose another name");
        }
        if (storage.list(ACTIVE).size() >= MAX_TOKENS) {
            throw new TokenRequestRefused(TokenRequestRefused.Reason.TOO_MANY, "berth keeps at most " + MAX_TOKENS
                    + " access tokens; revoke some first");
        }
        String secret = SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(SECRET_BYTES));
        Instant now = clock.instant();
        AccessToken token = new AccessToken(request.name(), HEX.formatHex(randomBytes(16)), creator.user().get(),
                creator.groups(), request.repositories(), request.actions(), now, now.plus(request.lifetime()),
                hash(secret), Optional.empty());
        storage.write(key(ACTIVE, token.name()), AccessTokenDocument.bytes(token));
        read.put(token.name(), Optional.of(token));
        return new Created(token, secret);
    }

    /** Every token, by name, with its last use. */
    public List<AccessToken> list() {
        List<AccessToken> tokens = new ArrayList<>();
        for (String name : storage.list(ACTIVE)) {
            if (STORED_NAME.matcher(name).matches()) {
                stored(name).ifPresent(token -> tokens.add(token.usedAt(lastUse(token))));
            }
        }
        return tokens;
    }

    /** The token {@code name}, with its last use; empty when there is none. */
    public Optional<AccessToken> find(String name) {
        return STORED_NAME.matcher(name).matches() ? stored(name).map(token -> token.usedAt(lastUse(token)))
                : Optional.empty();
    }

    /** Revokes the token {@code name}: this instance refuses it at once, the others within {@link #REFRESH}. */
    public void revoke(String name) {
        if (!STORED_NAME.matcher(name).matches()) {
            return;
        }
        read.put(name, Optional.empty());
        storage.delete(key(ACTIVE, name));
        storage.delete(key(USED, name));
        usesWritten.invalidate(name);
    }

    @Override
    public Optional<Principal> login(String name, String secret) {
        if (name == null || secret == null || !SECRET.matcher(secret).matches()
                || !STORED_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        byte[] presented = hash(secret).getBytes(StandardCharsets.US_ASCII);
        return current(name).filter(token -> MessageDigest.isEqual(presented,
                token.secretHash().getBytes(StandardCharsets.US_ASCII))).flatMap(this::holder);
    }

    @Override
    public Optional<Principal> live(String name, String id) {
        if (name == null || !STORED_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return current(name).filter(token -> token.id().equals(id)).flatMap(this::holder);
    }

    /** Whether {@code password} has the form of a token's secret, which no store read is worth without. */
    public static boolean looksLikeSecret(String password) {
        return password != null && SECRET.matcher(password).matches();
    }

    /** The holder of a live token whose creator's account goes on; its use noted. */
    private Optional<Principal> holder(AccessToken token) {
        if (token.expiredAt(clock.instant()) || creators.fingerprint(token.creator()).isEmpty()) {
            return Optional.empty();
        }
        noteUse(token);
        List<NameGlob> globs = token.repositories().stream().map(NameGlob::of).toList();
        return Optional.of(Principal.accessToken(token.name(), new TokenGrant(token.id(),
                Principal.user(token.creator(), token.creatorGroups()), globs, token.actions())));
    }

    /** The token as read from the store at most {@link #REFRESH} ago. */
    private Optional<AccessToken> current(String name) {
        return read.get(name, this::stored);
    }

    private Optional<AccessToken> stored(String name) {
        return storage.read(key(ACTIVE, name), MAX_DOCUMENT).flatMap(bytes -> AccessTokenDocument.parse(name, bytes));
    }

    /** Writes the token's last use, unless this instance did within {@link #LAST_USE_EVERY}. */
    private void noteUse(AccessToken token) {
        Instant now = clock.instant();
        if (usesWritten.asMap().putIfAbsent(token.name(), now) != null) {
            return;
        }
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("id", token.id());
        used.put("at", now.getEpochSecond());
        try {
            storage.write(key(USED, token.name()), JSON.writeValueAsBytes(used));
        } catch (IOException | RuntimeException e) {
            // The use itself goes on: last use is for people, and the next use writes it again.
            usesWritten.invalidate(token.name());
            LOG.log(Logger.Level.WARNING, "access token " + token.name() + ": cannot write its last use ("
                    + e.getMessage() + ")");
        }
    }

    private Optional<Instant> lastUse(AccessToken token) {
        try {
            Optional<byte[]> bytes = storage.read(key(USED, token.name()), MAX_DOCUMENT);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            JsonNode used = JSON.readTree(bytes.get());
            // A use of an earlier token of the same name is not this one's.
            return used.path("id").asText("").equals(token.id()) && used.path("at").canConvertToLong()
                    ? Optional.of(Instant.ofEpochSecond(used.path("at").asLong())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String hash(String secret) {
        return HEX.formatHex(Sha256.of(secret.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String key(String prefix, String name) {
        return prefix + "/" + name;
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}

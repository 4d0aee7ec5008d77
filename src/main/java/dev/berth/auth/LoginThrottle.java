package dev.berth.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Slows down password guessing. Failed logins are counted per client address, whatever account they tried, and per
 * account, from whatever address; past {@link #FREE_FAILURES} on either, an attempt waits before it is checked, a delay
 * that doubles with each further failure up to {@link #MAX_DELAY}. A success forgives only the failures of its own
 * address on its own account: another account's success clears nothing. An address from which an account logged in
 * recently is not held back by that account's failures elsewhere, so a guesser cannot lock its owner out.
 *
 * <p>Attempts in flight count as well: while earlier attempts are checked, a later one that would be past the free
 * failures if they failed waits for their outcome; and once an address or account is being slowed down, it gets one
 * attempt at a time. An address's others are refused at once ({@link TooManyLogins}); an account's, from other
 * addresses, wait their turn (at most {@link #MAX_WAIT}): refusing them would let a guesser who always has one guess
 * in flight lock the owner out everywhere she has not logged in lately. Counts are forgotten a quiet quarter hour
 * after the last failure; the maps are bounded.
 */
public final class LoginThrottle {
    /** Failures before attempts are slowed down. */
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(16);
    /** How long an attempt waits for one in flight: that one's delay and its password check, on a busy machine. */
    static final Duration MAX_WAIT = MAX_DELAY.plusSeconds(4);
    private static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    /** How long a login from an address exempts it from its account's failures elsewhere. */
    private static final Duration TRUSTED_FOR = Duration.ofDays(1);
    private static final int MAX_KEYS = 10_000;
    /** Accounts an address's count keeps apart (and addresses an account's): past them, no success forgives. */
    private static final int MAX_SIDES = 8;
    /** Longer names are no account's ({@link HtpasswdFile#MAX_USER_LENGTH}): they share one count. */
    private static final String TOO_LONG = "\u0000too long";

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition finished = lock.newCondition();
    private final Cache<String, Tally> byAddress = tallies();
    private final Cache<String, Tally> byAccount = tallies();
    private final Cache<String, Boolean> trusted = Caffeine.newBuilder()
            .expireAfterWrite(TRUSTED_FOR).maximumSize(MAX_KEYS).build();

    private static Cache<String, Tally> tallies() {
        return Caffeine.newBuilder().expireAfterWrite(FORGET_AFTER).maximumSize(MAX_KEYS).build();
    }

    /** The failures counted for one address or one account, by the account or address they came with. */
    private static final class Tally {
        private final Map<String, Integer> bySide = new HashMap<>();
        private int unattributed;
        private int failures;
        private int pending;

        void failed(String side) {
            failures++;
            if (bySide.containsKey(side) || bySide.size() < MAX_SIDES) {
                bySide.merge(side, 1, Integer::sum);
            } else {
                unattributed++;
            }
        }

        void forgive(String side) {
            Integer count = bySide.remove(side);
            failures -= count == null ? 0 : count;
        }

        /** Slowed down, with an attempt in flight: a further one now would only be a guess in parallel. */
        boolean refuses() {
            return failures >= FREE_FAILURES && pending > 0;
        }

        /** The attempts in flight would bring it to the slowed-down state if they failed: wait for them. */
        boolean holds() {
            return pending > 0 && failures + pending >= FREE_FAILURES;
        }
    }

    /** An attempt let through: check the password after {@link #delay()}, then report with {@link #end}. */
    public static final class Attempt {
        private final String address;
        private final String account;
        private final Tally addressTally;
        private final Tally accountTally;
        private final Duration delay;

        private Attempt(String address, String account, Tally addressTally, Tally accountTally, Duration delay) {
            this.address = address;
            this.account = account;
            this.addressTally = addressTally;
            this.accountTally = accountTally;
            this.delay = delay;
        }

        /** How long to hold the attempt before checking it. */
        public Duration delay() {
            return delay;
        }
    }

    /**
     * Lets an attempt from {@code address} at {@code user} through, after waiting for earlier attempts in flight
     * when it must, at most {@link #MAX_WAIT}.
     *
     * @throws TooManyLogins when the address is slowed down and already has an attempt in flight, or the earlier
     *                       attempts (the address's or the account's) did not end in time
     */
    public Attempt begin(String address, String user) {
        String account = user.length() > HtpasswdFile.MAX_USER_LENGTH ? TOO_LONG : user;
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        lock.lock();
        try {
            while (true) {
                Tally addressTally = byAddress.get(address, a -> new Tally());
                Tally accountTally = trusted.getIfPresent(pair(account, address)) != null ? null
                        : byAccount.get(account, a -> new Tally());
                List<Tally> tallies = new ArrayList<>(List.of(addressTally));
                if (accountTally != null) {
                    tallies.add(accountTally);
                }
                // Guesses in parallel from one address; the account's from elsewhere wait below, its owner's too.
                if (addressTally.refuses()) {
                    throw refused(tallies);
                }
                if (tallies.stream().noneMatch(Tally::holds)) {
                    tallies.forEach(t -> t.pending++);
                    Duration delay = delay(tallies.stream().mapToInt(t -> t.failures).max().orElse(0));
                    return new Attempt(address, account, addressTally, accountTally, delay);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw refused(tallies);
                }
                finished.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TooManyLogins(FIRST_DELAY);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reports that {@code attempt} ended without a verdict on its password (the accounts or an upstream that could tell
     * did not answer): it neither counts as a failure nor forgives one, so an outage slows down nobody's logins.
     */
    public void abandon(Attempt attempt) {
        lock.lock();
        try {
            release(attempt);
            finished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Reports how {@code attempt} ended: a failure counts for its address and its account; a success forgives. */
    public void end(Attempt attempt, boolean succeeded) {
        lock.lock();
        try {
            release(attempt);
            if (succeeded) {
                attempt.addressTally.forgive(attempt.account);
                byAccount.asMap().computeIfPresent(attempt.account, (a, tally) -> {
                    tally.forgive(attempt.address);
                    return tally;
                });
                trusted.put(pair(attempt.account, attempt.address), Boolean.TRUE);
            } else {
                attempt.addressTally.failed(attempt.account);
                Tally accountTally = attempt.accountTally != null ? attempt.accountTally
                        : byAccount.get(attempt.account, a -> new Tally());
                accountTally.failed(attempt.address);
                // Written again, so that the quarter hour counts from this failure (and an evicted count comes back).
                byAccount.put(attempt.account, accountTally);
                byAddress.put(attempt.address, attempt.addressTally);
            }
            finished.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code attempt} is no longer in flight (the lock held). */
    private static void release(Attempt attempt) {
        attempt.addressTally.pending--;
        if (attempt.accountTally != null) {
            attempt.accountTally.pending--;
        }
    }

    /** The delay before checking an attempt where {@code failures} are counted. */
    static Duration delay(int failures) {
        if (failures < FREE_FAILURES) {
            return Duration.ZERO;
        }
        Duration delay = FIRST_DELAY.multipliedBy(1L << Math.min(failures - FREE_FAILURES, 4));
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    private static TooManyLogins refused(List<Tally> tallies) {
        Duration next = delay(tallies.stream().mapToInt(t -> t.failures + t.pending).max().orElse(0));
        return new TooManyLogins(next.compareTo(FIRST_DELAY) < 0 ? FIRST_DELAY : next);
    }

    private static String pair(String account, String address) {
        return account + "\n" + address;
    }
}

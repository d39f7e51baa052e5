/*
 * crypto.c - the libsodium constructions Hearth uses, with their parameters
 * fixed in one place.  See hearth/crypto.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sodium.h>
#include <sqlite3.h>

#include "hearth/crypto.h"

/* Under AddressSanitizer a block waiting in a thread's cache (below) is
 * poisoned, so that a use of it after SQLite freed it is still reported
 * as it would be after free(). */
#if defined(__SANITIZE_ADDRESS__)
#define HEARTH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEARTH_ASAN 1
#endif
#endif
#ifdef HEARTH_ASAN
#include <sanitizer/asan_interface.h>
#define MEM_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (size_t)(n))
#define MEM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (size_t)(n))
#else
#define MEM_POISON(p, n) ((void)(p), (void)(n))
#define MEM_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include "vfs_private.h"

/* ---- SQLite's allocator: wipe on free ------------------------------------
 *
 * SQLite keeps decrypted pages in its page cache, and parsed rows, sort
 * buffers and statement results in memory it allocates itself.  All of it
 * goes through the methods below, which put the block's size in a header
 * in front of it so that xFree can overwrite the whole block with zeros
 * (sodium_memzero: never optimised away) before giving it back.  xRealloc
 * moves into a new block and wipes the old one, so a grown buffer leaves
 * nothing behind either.
 *
 * The Debian build of SQLite has no lookaside, so every statement step
 * allocates and frees dozens of small blocks (each register's buffer is
 * freed when a statement halts).  Blocks up to MEM_SMALL_MAX bytes are
 * therefore rounded up to a multiple of MEM_CLASS and, once wiped, kept in
 * a small cache of the freeing thread, one list per size, instead of going
 * back to malloc; xMalloc takes from that cache first.  Only wiped blocks
 * enter a cache, so what a cache hands out is all zeros.  A block may be
 * freed by another thread than the one that allocated it: it joins the
 * freeing thread's cache.  The cache is thread-local, so no locks; a
 * thread's cache goes back to malloc when the thread exits (a
 * pthread key's destructor), and the caller's when SQLite shuts down.
 *
 * The bytes wiped are counted per thread too (one shared atomic counter
 * costs a locked add after every wipe) and summed when read. */

/* 16 bytes keep the block as aligned as malloc's own (SQLite needs 8).
 * The header holds the block's size (an int at offset 0) and, while the
 * block sits in a cache, the next cached block (a pointer at offset 8). */
#define MEM_HDR 16
#define MEM_NEXT 8

#define MEM_CLASS 16                     /* small sizes round up to this */
#define MEM_SMALL_MAX 1024               /* largest size a cache keeps */
#define MEM_CLASSES (MEM_SMALL_MAX / MEM_CLASS)
/* Bytes a cache keeps per size: 512 blocks of 16 bytes, 8 of 1024; at
 * most 512 KiB a thread when every size is full. */
#define MEM_CACHE_BYTES 8192

enum { MEM_CACHE_NEW, MEM_CACHE_LIVE, MEM_CACHE_GONE };

struct mem_cache {
	uint8_t *head[MEM_CLASSES];      /* malloc'ed addresses (header) */
	uint16_t count[MEM_CLASSES];
	int state;                       /* MEM_CACHE_NEW, _LIVE, _GONE */
	/* Bytes this thread wiped; written by it alone, read by any. */
	atomic_ullong wiped;
	struct mem_cache *next, **pprev; /* in mem_threads, while live */
};

static _Thread_local struct mem_cache mem_cache;
static pthread_key_t mem_cache_key;      /* its destructor empties a cache */
static int mem_cache_key_ok;             /* set once, under mem_key_once */
static pthread_once_t mem_key_once = PTHREAD_ONCE_INIT;

/* 0 only for the benchmark that measures what wiping costs: blocks then
 * enter the caches unwiped, and may come out of them so. */
static atomic_int mem_wipe = 1;
/* Every live cache, and the bytes wiped by threads that have none (any
 * more): hearth_mem_wiped_bytes() sums them. */
static pthread_mutex_t mem_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mem_cache *mem_threads;
static atomic_ullong mem_wiped_other;
static int mem_installed;                /* set once, under mem_once */
static pthread_once_t mem_once = PTHREAD_ONCE_INIT;

static void mem_cache_release(struct mem_cache *c)
{
	int i;

	for (i = 0; i < MEM_CLASSES; i++) {
		while (c->head[i] != NULL) {
			uint8_t *b = c->head[i];

			memcpy(&c->head[i], b + MEM_NEXT, sizeof c->head[i]);
			MEM_UNPOISON(b + MEM_HDR, (i + 1) * MEM_CLASS);
			free(b);
		}
		c->count[i] = 0;
	}
}

/* A thread exits: its cache goes back to malloc, and what the thread
 * still frees afterwards (another key's destructor may close a
 * connection) goes straight to free(). */
static void mem_cache_destroy(void *arg)
{
	struct mem_cache *c = arg;

	c->state = MEM_CACHE_GONE;
	mem_cache_release(c);
	pthread_mutex_lock(&mem_threads_lock);
	*c->pprev = c->next;
	if (c->next != NULL)
		c->next->pprev = c->pprev;
	atomic_fetch_add(&mem_wiped_other, atomic_load(&c->wiped));
	pthread_mutex_unlock(&mem_threads_lock);
}

/* A fork() while another thread holds the lock would leave it held in
 * the child for good. */
static void mem_threads_lock_take(void)
{
	pthread_mutex_lock(&mem_threads_lock);
}

static void mem_threads_lock_drop(void)
{
	pthread_mutex_unlock(&mem_threads_lock);
}

static void mem_key_create(void)
{
	mem_cache_key_ok = pthread_key_create(&mem_cache_key,
					      mem_cache_destroy) == 0 &&
		pthread_atfork(mem_threads_lock_take, mem_threads_lock_drop,
			       mem_threads_lock_drop) == 0;
}

/* The first block a thread frees: register its cache with the key, so
 * that the thread's exit empties it, and in mem_threads.  Without a key
 * the thread neither caches nor counts for itself. */
static int mem_cache_start(struct mem_cache *c)
{
	if (c->state != MEM_CACHE_NEW)
		return c->state == MEM_CACHE_LIVE;
	pthread_once(&mem_key_once, mem_key_create);
	if (!mem_cache_key_ok || pthread_setspecific(mem_cache_key, c) != 0) {
		c->state = MEM_CACHE_GONE;
		return 0;
	}
	pthread_mutex_lock(&mem_threads_lock);
	c->next = mem_threads;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = &mem_threads;
	mem_threads = c;
	pthread_mutex_unlock(&mem_threads_lock);
	c->state = MEM_CACHE_LIVE;
	return 1;
}

static int mem_roundup(int n)
{
	if (n <= MEM_SMALL_MAX)
		return n <= 0 ? MEM_CLASS : (n + MEM_CLASS - 1) & ~(MEM_CLASS - 1);
	if (n > INT32_MAX - 7)
		return n;
	return (n + 7) & ~7;
}

static void *mem_malloc(int n)
{
	uint8_t *b;

	if (n <= 0)
		return NULL;
	if (n <= MEM_SMALL_MAX) {
		struct mem_cache *c = &mem_cache;
		int k = (n - 1) / MEM_CLASS;

		b = c->head[k];
		if (b != NULL) {
			memcpy(&c->head[k], b + MEM_NEXT, sizeof c->head[k]);
			c->count[k]--;
			MEM_UNPOISON(b + MEM_HDR, (k + 1) * MEM_CLASS);
			return b + MEM_HDR;
		}
		n = (k + 1) * MEM_CLASS;
	}
	b = malloc((size_t)n + MEM_HDR);
	if (b == NULL)
		return NULL;
	memcpy(b, &n, sizeof n);
	return b + MEM_HDR;
}

static int mem_size(void *p)
{
	int n;

	if (p == NULL)
		return 0;
	memcpy(&n, (uint8_t *)p - MEM_HDR, sizeof n);
	return n;
}

static void mem_free(void *p)
{
	struct mem_cache *c = &mem_cache;
	uint8_t *b;
	int n, k, live;

	if (p == NULL)
		return;
	b = (uint8_t *)p - MEM_HDR;
	n = mem_size(p);
	live = c->state == MEM_CACHE_LIVE || mem_cache_start(c);
	if (atomic_load_explicit(&mem_wipe, memory_order_relaxed)) {
		sodium_memzero(p, (size_t)n);
		if (live)
			atomic_store_explicit(&c->wiped, (unsigned long long)n +
				atomic_load_explicit(&c->wiped, memory_order_relaxed),
				memory_order_relaxed);
		else
			atomic_fetch_add(&mem_wiped_other, (unsigned long long)n);
	}
	if (live && n <= MEM_SMALL_MAX) {
		k = n / MEM_CLASS - 1;
		if ((c->count[k] + 1) * n <= MEM_CACHE_BYTES) {
			memcpy(b + MEM_NEXT, &c->head[k], sizeof c->head[k]);
			c->head[k] = b;
			c->count[k]++;
			MEM_POISON(p, n);
			return;
		}
	}
	free(b);
}

/* Never realloc() in place: the old block would be released unwiped.  A
 * block already of the size asked for (rounded) is kept as it is. */
static void *mem_realloc(void *p, int n)
{
	void *q;
	int old;

	if (p == NULL)
		return mem_malloc(n);
	old = mem_size(p);
	if (n > 0 && mem_roundup(n) == old)
		return p;
	q = mem_malloc(n);
	if (q == NULL)
		return NULL; /* SQLite keeps p, as with realloc() */
	memcpy(q, p, (size_t)(old < n ? old : n));
	mem_free(p);
	return q;
}

static int mem_init(void *ctx)
{
	(void)ctx;
	return SQLITE_OK;
}

/* sqlite3_shutdown(): the calling thread's cache goes back to malloc
 * (other threads' caches go when they exit). */
static void mem_shutdown(void *ctx)
{
	(void)ctx;
	mem_cache_release(&mem_cache);
}

static const sqlite3_mem_methods mem_methods = {
	.xMalloc = mem_malloc,
	.xFree = mem_free,
	.xRealloc = mem_realloc,
	.xSize = mem_size,
	.xRoundup = mem_roundup,
	.xInit = mem_init,
	.xShutdown = mem_shutdown,
	.pAppData = NULL,
};

/* SQLite accepts a new allocator only before it initialises; a program
 * that used SQLite before its first libhearth call keeps SQLite's own
 * (hearth_sqlite_wipe_active() says so). */
static void mem_install(void)
{
	mem_installed = sqlite3_config(SQLITE_CONFIG_MALLOC, &mem_methods) == SQLITE_OK;
	/* Nothing here reads SQLite's memory statistics; keeping them takes
	 * a global mutex on every allocation. */
	if (mem_installed)
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int hearth_sqlite_wipe_active(void)
{
	pthread_once(&mem_once, mem_install);
	return mem_installed;
}

const sqlite3_mem_methods *hearth_mem_methods(void)
{
	return &mem_methods;
}

void hearth_mem_wipe_set(int on)
{
	atomic_store(&mem_wipe, on ? 1 : 0);
}

uint64_t hearth_mem_wiped_bytes(void)
{
	const struct mem_cache *c;
	uint64_t n;

	pthread_mutex_lock(&mem_threads_lock);
	n = atomic_load(&mem_wiped_other);
	for (c = mem_threads; c != NULL; c = c->next)
		n += atomic_load_explicit(&c->wiped, memory_order_relaxed);
	pthread_mutex_unlock(&mem_threads_lock);
	return n;
}

unsigned hearth_mem_cached(void)
{
	unsigned n = 0;
	int i;

	for (i = 0; i < MEM_CLASSES; i++)
		n += mem_cache.count[i];
	return n;
}

/* ---- process ---------------------------------------------------------- */

hearth_status hearth_process_harden(void)
{
	struct rlimit none = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &none) != 0)
		return hearth_fail(HEARTH_ERROR, "cannot turn off core dumps");
#ifdef __linux__
	/* Also keeps other processes of the same user from reading this
	 * one's memory through /proc or ptrace. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return hearth_fail(HEARTH_ERROR, "cannot mark the process undumpable");
#endif
	return HEARTH_OK;
}

/* ---- libsodium ---------------------------------------------------------- */

/* libsodium's sodium_init() is itself idempotent and thread-safe; caching
 * its result only saves the call.  The first call also hands SQLite its
 * wiping allocator, before anything in libhearth initialises SQLite. */
static atomic_int sodium_ready;

hearth_status hearth_crypto_init(void)
{
	if (atomic_load_explicit(&sodium_ready, memory_order_acquire))
		return HEARTH_OK;
	(void)hearth_sqlite_wipe_active();
	if (sodium_init() < 0)
		return hearth_fail(HEARTH_ECRYPTO, "cannot initialise libsodium");
	atomic_store_explicit(&sodium_ready, 1, memory_order_release);
	return HEARTH_OK;
}

hearth_kdf_params hearth_kdf_params_default(void)
{
	hearth_kdf_params p = {
		.opslimit = HEARTH_KDF_DEFAULT_OPSLIMIT,
		.memlimit = HEARTH_KDF_DEFAULT_MEMLIMIT,
	};
	return p;
}

hearth_kdf_params hearth_kdf_params_low(void)
{
	hearth_kdf_params p = {
		.opslimit = HEARTH_KDF_MIN_OPSLIMIT,
		.memlimit = HEARTH_KDF_MIN_MEMLIMIT,
	};
	return p;
}

hearth_status hearth_kdf_params_check(const hearth_kdf_params *p)
{
	if (p == NULL)
		return hearth_fail(HEARTH_EINVAL, "no key derivation parameters");
	if (p->opslimit < HEARTH_KDF_MIN_OPSLIMIT ||
	    p->opslimit > crypto_pwhash_OPSLIMIT_MAX)
		return hearth_fail(HEARTH_EINVAL,
			"key derivation passes %llu out of range",
			(unsigned long long)p->opslimit);
	if (p->memlimit < HEARTH_KDF_MIN_MEMLIMIT ||
	    p->memlimit > crypto_pwhash_MEMLIMIT_MAX)
		return hearth_fail(HEARTH_EINVAL,
			"key derivation memory %llu bytes out of range",
			(unsigned long long)p->memlimit);
	return HEARTH_OK;
}

hearth_status hearth_kdf_derive(uint8_t *key, const char *passphrase,
				size_t passphrase_len,
				const uint8_t salt[HEARTH_SALTBYTES],
				const hearth_kdf_params *params)
{
	hearth_status st;

	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if ((st = hearth_kdf_params_check(params)) != HEARTH_OK)
		return st;
	if (passphrase == NULL && passphrase_len > 0)
		return hearth_fail(HEARTH_EINVAL, "no passphrase");
	/* crypto_pwhash fails only when it cannot allocate the memory cost. */
	if (crypto_pwhash(key, HEARTH_KEYBYTES, passphrase ? passphrase : "",
			  passphrase_len, salt, params->opslimit,
			  (size_t)params->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_memzero(key, HEARTH_KEYBYTES);
		return hearth_fail(HEARTH_ENOMEM,
			"key derivation needs %llu MiB of memory that is not available",
			(unsigned long long)(params->memlimit >> 20));
	}
	return HEARTH_OK;
}

hearth_status hearth_aead_seal(uint8_t *c, const uint8_t *m, size_t mlen,
			       const uint8_t *ad, size_t adlen,
			       const uint8_t nonce[HEARTH_NONCEBYTES],
			       const uint8_t key[HEARTH_KEYBYTES])
{
	return hearth_aead_seal_detached(c, c + mlen, m, mlen, ad, adlen,
					 nonce, key);
}

hearth_status hearth_aead_open(uint8_t *m, const uint8_t *c, size_t clen,
			       const uint8_t *ad, size_t adlen,
			       const uint8_t nonce[HEARTH_NONCEBYTES],
			       const uint8_t key[HEARTH_KEYBYTES])
{
	if (clen < HEARTH_TAGBYTES)
		return hearth_fail(HEARTH_EAUTH, "ciphertext shorter than its tag");
	return hearth_aead_open_detached(m, c, clen - HEARTH_TAGBYTES,
					 c + clen - HEARTH_TAGBYTES, ad, adlen,
					 nonce, key);
}

hearth_status hearth_aead_seal_detached(uint8_t *c, uint8_t tag[HEARTH_TAGBYTES],
					const uint8_t *m, size_t mlen,
					const uint8_t *ad, size_t adlen,
					const uint8_t nonce[HEARTH_NONCEBYTES],
					const uint8_t key[HEARTH_KEYBYTES])
{
	hearth_status st;

	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
		    c, tag, NULL, m, mlen, ad, adlen, NULL, nonce, key) != 0)
		return hearth_fail(HEARTH_ECRYPTO, "encryption failed");
	return HEARTH_OK;
}

hearth_status hearth_aead_open_detached(uint8_t *m, const uint8_t *c, size_t clen,
					const uint8_t tag[HEARTH_TAGBYTES],
					const uint8_t *ad, size_t adlen,
					const uint8_t nonce[HEARTH_NONCEBYTES],
					const uint8_t key[HEARTH_KEYBYTES])
{
	hearth_status st;

	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	/* libsodium verifies the tag before it writes any plaintext. */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
		    m, NULL, c, clen, tag, ad, adlen, nonce, key) != 0)
		return hearth_fail(HEARTH_EAUTH, "authentication failed");
	return HEARTH_OK;
}

hearth_status hearth_key_wrap(uint8_t out[HEARTH_WRAPPEDBYTES],
			      const uint8_t key[HEARTH_KEYBYTES],
			      const uint8_t kek[HEARTH_KEYBYTES],
			      const char *label)
{
	if (label == NULL)
		return hearth_fail(HEARTH_EINVAL, "key wrap needs a label");
	hearth_random(out, HEARTH_NONCEBYTES);
	return hearth_aead_seal(out + HEARTH_NONCEBYTES, key, HEARTH_KEYBYTES,
				(const uint8_t *)label, strlen(label), out, kek);
}

hearth_status hearth_key_unwrap(uint8_t key[HEARTH_KEYBYTES],
				const uint8_t in[HEARTH_WRAPPEDBYTES],
				const uint8_t kek[HEARTH_KEYBYTES],
				const char *label)
{
	hearth_status st;

	if (label == NULL)
		return hearth_fail(HEARTH_EINVAL, "key unwrap needs a label");
	st = hearth_aead_open(key, in + HEARTH_NONCEBYTES,
			      HEARTH_KEYBYTES + HEARTH_TAGBYTES,
			      (const uint8_t *)label, strlen(label), in, kek);
	if (st != HEARTH_OK)
		sodium_memzero(key, HEARTH_KEYBYTES);
	return st;
}

hearth_status hearth_subkey_derive(uint8_t subkey[HEARTH_KEYBYTES], uint64_t id,
				   const char context[8],
				   const uint8_t master[HEARTH_KEYBYTES])
{
	hearth_status st;

	if ((st = hearth_crypto_init()) != HEARTH_OK)
		return st;
	if (crypto_kdf_derive_from_key(subkey, HEARTH_KEYBYTES, id, context,
				       master) != 0)
		return hearth_fail(HEARTH_ECRYPTO, "subkey derivation failed");
	return HEARTH_OK;
}

void hearth_random(void *buf, size_t len)
{
	/* randombytes_buf initialises itself when sodium_init was not called;
	 * calling init first keeps the fork-safety libsodium documents. */
	if (hearth_crypto_init() != HEARTH_OK)
		abort(); /* no safe randomness: never hand out predictable ids */
	randombytes_buf(buf, len);
}

uint64_t hearth_random_u64(void)
{
	uint64_t v;

	hearth_random(&v, sizeof v);
	return v;
}

void *hearth_secret_alloc(size_t len)
{
	if (hearth_crypto_init() != HEARTH_OK)
		return NULL;
	return sodium_malloc(len);
}

void hearth_secret_free(void *p)
{
	/* sodium_free wipes before it unmaps, and accepts NULL. */
	sodium_free(p);
}

void hearth_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

int hearth_memcmp_ct(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len);
}

void hearth_hex_encode(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

hearth_status hearth_hex_decode(uint8_t *out, size_t len, const char *hex)
{
	size_t i;

	if (hex == NULL || strlen(hex) != 2 * len)
		return hearth_fail(HEARTH_EFORMAT, "expected %zu hex digits", 2 * len);
	for (i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return hearth_fail(HEARTH_EFORMAT, "'%s' is not hexadecimal", hex);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return HEARTH_OK;
}

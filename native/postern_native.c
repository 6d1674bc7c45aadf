/*
 * Postern's native helpers for the delivery agent (src/deliver/native.ts).
 *
 * Node has no fcntl() record locks, and mailbox locking must be compatible with every other mail
 * program on the host (mail.local, procmail, mutt, Python's fcntl.lockf all use fcntl locks on
 * Linux). The agent also needs the C library's exact error texts (delivery status texts quote them)
 * and the name service's view of a user (getpwnam through NSS, as initgroups() sees it).
 *
 * Exports:
 *   lock(fd, timeoutMs) -> 0 | errno   exclusive write lock on the whole file; timeoutMs 0 = try once
 *                                      (F_SETLK), otherwise wait (F_SETLKW) at most that long;
 *                                      ETIMEDOUT when the wait ran out, EAGAIN when busy on a try
 *   unlock(fd)          -> 0 | errno
 *   strerror(errno)     -> string      the C library's text
 *   getpwnam(name)      -> { name, uid, gid, dir, shell } | null; throws on a lookup error
 *   peerCred(fd)        -> { pid, uid, gid, groups } | errno   the kernel's record of the process at the
 *                                      other end of a connected Unix socket (SO_PEERCRED; groups from
 *                                      SO_PEERGROUPS, empty where the kernel lacks it): the control
 *                                      socket never takes a uid from what the client says
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/types.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, NULL, "postern_native: N-API call failed");  \
      return NULL;                                                       \
    }                                                                    \
  } while (0)

static int set_lock(int fd, int cmd, short type) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0; /* the whole file, however it grows */
  return fcntl(fd, cmd, &fl) == 0 ? 0 : errno;
}

static int try_lock(int fd) {
  int e = set_lock(fd, F_SETLK, F_WRLCK);
  /* POSIX allows either code for "held by another process". */
  return e == EACCES ? EAGAIN : e;
}

#ifdef __linux__
static void on_timer(int sig) { (void)sig; /* only here to interrupt fcntl() with EINTR */ }

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/*
 * F_SETLKW bounded by a timer whose signal goes to this thread only (SIGEV_THREAD_ID), so no other
 * thread of the Node process is disturbed and the signal cannot land elsewhere. The handler is
 * installed without SA_RESTART so the blocked fcntl() returns EINTR when the timer fires.
 */
static int lock_wait(int fd, long ms) {
  struct sigaction sa, old_sa;
  sigset_t unblock, old_mask;
  struct sigevent sev;
  struct itimerspec its;
  timer_t timer;
  int e;

  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_timer;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  if (sigaction(SIGALRM, &sa, &old_sa) != 0) return errno;
  sigemptyset(&unblock);
  sigaddset(&unblock, SIGALRM);
  pthread_sigmask(SIG_UNBLOCK, &unblock, &old_mask);

  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = SIGALRM;
  sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) {
    e = errno;
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    return e;
  }
  memset(&its, 0, sizeof its);
  its.it_value.tv_sec = ms / 1000;
  its.it_value.tv_nsec = (ms % 1000) * 1000000L;
  timer_settime(timer, 0, &its, NULL);

  for (;;) {
    e = set_lock(fd, F_SETLKW, F_WRLCK);
    if (e != EINTR) break;
    struct itimerspec left;
    if (timer_gettime(timer, &left) == 0 && left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0) {
      e = ETIMEDOUT;
      break;
    }
    /* Some other signal: keep waiting for the rest of the time. */
  }

  /* Disarm before restoring the old disposition: a late SIGALRM must never meet SIG_DFL. */
  timer_delete(timer);
  pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
  sigaction(SIGALRM, &old_sa, NULL);
  return e;
}
#else
/* Without thread-directed timers: poll F_SETLK until the deadline. */
static int lock_wait(int fd, long ms) {
  struct timespec step = { 0, 20 * 1000000L };
  long waited = 0;
  for (;;) {
    int e = try_lock(fd);
    if (e != EAGAIN) return e;
    if (waited >= ms) return ETIMEDOUT;
    nanosleep(&step, NULL);
    waited += 20;
  }
}
#endif

static int32_t arg_int(napi_env env, napi_value v, int *ok) {
  int32_t out = 0;
  *ok = napi_get_value_int32(env, v, &out) == napi_ok;
  return out;
}

static napi_value js_lock(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  int ok1, ok2;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) {
    napi_throw_type_error(env, NULL, "lock(fd, timeoutMs)");
    return NULL;
  }
  int32_t fd = arg_int(env, argv[0], &ok1);
  int32_t ms = arg_int(env, argv[1], &ok2);
  if (!ok1 || !ok2 || fd < 0 || ms < 0) {
    napi_throw_type_error(env, NULL, "lock(fd, timeoutMs): non-negative integers expected");
    return NULL;
  }
  int e = ms == 0 ? try_lock(fd) : lock_wait(fd, ms);
  CHECK(napi_create_int32(env, e, &result));
  return result;
}

/* The one file-descriptor argument of a call, or -1 after throwing a TypeError with `usage`. */
static int32_t one_fd_arg(napi_env env, napi_callback_info info, const char *usage) {
  size_t argc = 1;
  napi_value argv[1];
  int ok = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) argc = 0;
  int32_t fd = argc < 1 ? -1 : arg_int(env, argv[0], &ok);
  if (argc < 1 || !ok || fd < 0) {
    napi_throw_type_error(env, NULL, usage);
    return -1;
  }
  return fd;
}

static napi_value js_unlock(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t fd = one_fd_arg(env, info, "unlock(fd): a file descriptor expected");
  if (fd < 0) return NULL;
  CHECK(napi_create_int32(env, set_lock(fd, F_SETLK, F_UNLCK), &result));
  return result;
}

static napi_value js_strerror(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int ok;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = argc < 1 ? 0 : arg_int(env, argv[0], &ok);
  if (argc < 1 || !ok) {
    napi_throw_type_error(env, NULL, "strerror(errno): an integer expected");
    return NULL;
  }
  CHECK(napi_create_string_utf8(env, strerror(n < 0 ? -n : n), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value set_str(napi_env env, napi_value obj, const char *key, const char *val) {
  napi_value v;
  if (napi_create_string_utf8(env, val, NAPI_AUTO_LENGTH, &v) != napi_ok) return NULL;
  if (napi_set_named_property(env, obj, key, v) != napi_ok) return NULL;
  return obj;
}

static napi_value set_num(napi_env env, napi_value obj, const char *key, double val) {
  napi_value v;
  if (napi_create_double(env, val, &v) != napi_ok) return NULL;
  if (napi_set_named_property(env, obj, key, v) != napi_ok) return NULL;
  return obj;
}

static napi_value js_getpwnam(napi_env env, napi_callback_info info) {
  size_t argc = 1, len = 0;
  napi_value argv[1], result;
  char name[256];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok ||
      len >= sizeof name - 1) {
    napi_throw_type_error(env, NULL, "getpwnam(name): a user name expected");
    return NULL;
  }
  size_t size = 16384;
  for (;;) {
    char *buf = malloc(size);
    struct passwd pw, *found = NULL;
    if (buf == NULL) {
      napi_throw_error(env, "ENOMEM", "getpwnam: out of memory");
      return NULL;
    }
    int e = getpwnam_r(name, &pw, buf, size, &found);
    if (e == ERANGE && size < (1u << 20)) {
      free(buf);
      size *= 4;
      continue;
    }
    if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM) {
      free(buf);
      napi_throw_error(env, "EPWLOOKUP", strerror(e));
      return NULL;
    }
    if (found == NULL) {
      free(buf);
      CHECK(napi_get_null(env, &result));
      return result;
    }
    if (napi_create_object(env, &result) != napi_ok || !set_str(env, result, "name", pw.pw_name) ||
        !set_num(env, result, "uid", pw.pw_uid) || !set_num(env, result, "gid", pw.pw_gid) ||
        !set_str(env, result, "dir", pw.pw_dir ? pw.pw_dir : "") ||
        !set_str(env, result, "shell", pw.pw_shell ? pw.pw_shell : "")) {
      free(buf);
      napi_throw_error(env, NULL, "getpwnam: N-API call failed");
      return NULL;
    }
    free(buf);
    return result;
  }
}

#ifdef __linux__
#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13; older headers lack the name */
#endif

/* Supplementary groups of the peer as they were at connect(); an empty list where unsupported. */
static napi_value peer_groups(napi_env env, int fd) {
  gid_t small[64];
  gid_t *groups = small;
  socklen_t len = sizeof small;
  napi_value arr;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
    if (errno != ERANGE) {
      len = 0;
    } else {
      groups = malloc(len);
      if (groups == NULL || getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) len = 0;
    }
  }
  size_t n = len / sizeof(gid_t);
  if (napi_create_array_with_length(env, n, &arr) != napi_ok) arr = NULL;
  for (size_t i = 0; arr != NULL && i < n; i++) {
    napi_value g;
    if (napi_create_double(env, groups[i], &g) != napi_ok || napi_set_element(env, arr, (uint32_t)i, g) != napi_ok) arr = NULL;
  }
  if (groups != small) free(groups);
  return arr;
}
#endif

static napi_value js_peercred(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t fd = one_fd_arg(env, info, "peerCred(fd): a file descriptor expected");
  if (fd < 0) return NULL;
#ifdef __linux__
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    CHECK(napi_create_int32(env, errno, &result));
    return result;
  }
  napi_value groups = peer_groups(env, fd);
  if (groups == NULL || napi_create_object(env, &result) != napi_ok || !set_num(env, result, "pid", cred.pid) ||
      !set_num(env, result, "uid", cred.uid) || !set_num(env, result, "gid", cred.gid) ||
      napi_set_named_property(env, result, "groups", groups) != napi_ok) {
    napi_throw_error(env, NULL, "peerCred: N-API call failed");
    return NULL;
  }
  return result;
#else
  CHECK(napi_create_int32(env, ENOSYS, &result));
  return result;
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "lock", NULL, js_lock, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unlock", NULL, js_unlock, NULL, NULL, NULL, napi_enumerable, NULL },
    { "strerror", NULL, js_strerror, NULL, NULL, NULL, napi_enumerable, NULL },
    { "getpwnam", NULL, js_getpwnam, NULL, NULL, NULL, napi_enumerable, NULL },
    { "peerCred", NULL, js_peercred, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

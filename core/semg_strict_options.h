/* Strict option values for every subcommand (implemented in core/semg_input.c): these macros replace
   PETSc's PetscOptionsInt/BoundedInt/RangeInt/Real/RealArray/IntArray for every file that includes
   core/semg_error.h. Each first parses the option's raw text strictly, with the option's name in the
   message ("-n '5abc' is not an integer", "-n 4294967298 is out of range", "-cv_range takes at most 2
   values, got 3"), then calls PETSc's own function, so -help and the options database work as before. */
#ifndef SEMG_STRICT_OPTIONS_H
#define SEMG_STRICT_OPTIONS_H

#include <petscsys.h>

PETSC_EXTERN PetscErrorCode SemgOptionsIntStrict(PetscOptionItems *, const char[], const char[], const char[], PetscInt, PetscInt *, PetscBool *, PetscInt, PetscInt);
PETSC_EXTERN PetscErrorCode SemgOptionsRealStrict(PetscOptionItems *, const char[], const char[], const char[], PetscReal, PetscReal *, PetscBool *);
PETSC_EXTERN PetscErrorCode SemgOptionsRealArrayStrict(PetscOptionItems *, const char[], const char[], const char[], PetscReal[], PetscInt *, PetscBool *);
PETSC_EXTERN PetscErrorCode SemgOptionsIntArrayStrict(PetscOptionItems *, const char[], const char[], const char[], PetscInt[], PetscInt *, PetscBool *);

#if !defined(SEMG_INPUT_KEEP_PETSC_OPTIONS)
  #undef PetscOptionsInt
  #undef PetscOptionsBoundedInt
  #undef PetscOptionsRangeInt
  #undef PetscOptionsReal
  #undef PetscOptionsRealArray
  #undef PetscOptionsIntArray
  #define PetscOptionsInt(a, b, c, d, e, f)            SemgOptionsIntStrict(PetscOptionsObject, a, b, c, d, e, f, PETSC_MIN_INT, PETSC_MAX_INT)
  #define PetscOptionsBoundedInt(a, b, c, d, e, f, g)  SemgOptionsIntStrict(PetscOptionsObject, a, b, c, d, e, f, g, PETSC_MAX_INT)
  #define PetscOptionsRangeInt(a, b, c, d, e, f, g, h) SemgOptionsIntStrict(PetscOptionsObject, a, b, c, d, e, f, g, h)
  #define PetscOptionsReal(a, b, c, d, e, f)           SemgOptionsRealStrict(PetscOptionsObject, a, b, c, d, e, f)
  #define PetscOptionsRealArray(a, b, c, d, e, f)      SemgOptionsRealArrayStrict(PetscOptionsObject, a, b, c, d, e, f)
  #define PetscOptionsIntArray(a, b, c, d, e, f)       SemgOptionsIntArrayStrict(PetscOptionsObject, a, b, c, d, e, f)
#endif

#endif

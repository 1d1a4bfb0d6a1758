/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export enum Role {
  ROLE_UNASSIGNED = 'ROLE_UNASSIGNED',
  ROLE_MEMBER = 'ROLE_MEMBER',
  ROLE_HEAD = 'ROLE_HEAD'
}

enum __RoleValues {
  ROLE_UNASSIGNED = 0,
  ROLE_MEMBER = 1,
  ROLE_HEAD = 2
}

export namespace Role {
  export const codec = (): Codec<Role> => {
    return enumeration<Role>(__RoleValues)
  }
}

export enum CodecId {
  CODEC_FLOAT32 = 'CODEC_FLOAT32',
  CODEC_FLOAT16 = 'CODEC_FLOAT16',
  CODEC_INT8 = 'CODEC_INT8'
}

enum __CodecIdValues {
  CODEC_FLOAT32 = 0,
  CODEC_FLOAT16 = 1,
  CODEC_INT8 = 2
}

export namespace CodecId {
  export const codec = (): Codec<CodecId> => {
    return enumeration<CodecId>(__CodecIdValues)
  }
}

export enum DirectErrorCode {
  DIRECT_ERROR_UNKNOWN = 'DIRECT_ERROR_UNKNOWN',
  DIRECT_ERROR_NOT_FOUND = 'DIRECT_ERROR_NOT_FOUND',
  DIRECT_ERROR_NOT_HEAD = 'DIRECT_ERROR_NOT_HEAD',
  DIRECT_ERROR_NOT_MEMBER = 'DIRECT_ERROR_NOT_MEMBER',
  DIRECT_ERROR_STALE_ROUND = 'DIRECT_ERROR_STALE_ROUND',
  DIRECT_ERROR_WRONG_TERM = 'DIRECT_ERROR_WRONG_TERM',
  DIRECT_ERROR_WRONG_SPEC = 'DIRECT_ERROR_WRONG_SPEC',
  DIRECT_ERROR_TOO_LARGE = 'DIRECT_ERROR_TOO_LARGE',
  DIRECT_ERROR_RATE_LIMITED = 'DIRECT_ERROR_RATE_LIMITED',
  DIRECT_ERROR_BUSY = 'DIRECT_ERROR_BUSY',
  DIRECT_ERROR_REJECTED = 'DIRECT_ERROR_REJECTED',
  DIRECT_ERROR_INTERNAL = 'DIRECT_ERROR_INTERNAL'
}

enum __DirectErrorCodeValues {
  DIRECT_ERROR_UNKNOWN = 0,
  DIRECT_ERROR_NOT_FOUND = 1,
  DIRECT_ERROR_NOT_HEAD = 2,
  DIRECT_ERROR_NOT_MEMBER = 3,
  DIRECT_ERROR_STALE_ROUND = 4,
  DIRECT_ERROR_WRONG_TERM = 5,
  DIRECT_ERROR_WRONG_SPEC = 6,
  DIRECT_ERROR_TOO_LARGE = 7,
  DIRECT_ERROR_RATE_LIMITED = 8,
  DIRECT_ERROR_BUSY = 9,
  DIRECT_ERROR_REJECTED = 10,
  DIRECT_ERROR_INTERNAL = 11
}

export namespace DirectErrorCode {
  export const codec = (): Codec<DirectErrorCode> => {
    return enumeration<DirectErrorCode>(__DirectErrorCodeValues)
  }
}

export interface Fingerprint {
  peerId: string
  seq: number
  sampleCount: number
  inputShape: number[]
  numClasses: number
  labelHist: Uint8Array
  projMean: Uint8Array
  projStd: Uint8Array
  classDims: number
  classMeans: Uint8Array
  capacity: number
  absentClasses: number[]
  featureMean: Uint8Array
  featureStd: Uint8Array
  sentAt: number
}

export namespace Fingerprint {
  let _codec: Codec<Fingerprint>

  export const codec = (): Codec<Fingerprint> => {
    if (_codec == null) {
      _codec = message<Fingerprint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint32(obj.seq)
        }

        if ((obj.sampleCount != null && obj.sampleCount !== 0)) {
          w.uint32(24)
          w.uint32(obj.sampleCount)
        }

        if (obj.inputShape != null) {
          for (const value of obj.inputShape) {
            w.uint32(32)
            w.uint32(value)
          }
        }

        if ((obj.numClasses != null && obj.numClasses !== 0)) {
          w.uint32(40)
          w.uint32(obj.numClasses)
        }

        if ((obj.labelHist != null && obj.labelHist.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.labelHist)
        }

        if ((obj.projMean != null && obj.projMean.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.projMean)
        }

        if ((obj.projStd != null && obj.projStd.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.projStd)
        }

        if ((obj.classDims != null && obj.classDims !== 0)) {
          w.uint32(72)
          w.uint32(obj.classDims)
        }

        if ((obj.classMeans != null && obj.classMeans.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.classMeans)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(93)
          w.float(obj.capacity)
        }

        if (obj.absentClasses != null) {
          for (const value of obj.absentClasses) {
            w.uint32(96)
            w.uint32(value)
          }
        }

        if ((obj.featureMean != null && obj.featureMean.byteLength > 0)) {
          w.uint32(106)
          w.bytes(obj.featureMean)
        }

        if ((obj.featureStd != null && obj.featureStd.byteLength > 0)) {
          w.uint32(114)
          w.bytes(obj.featureStd)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(120)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          seq: 0,
          sampleCount: 0,
          inputShape: [],
          numClasses: 0,
          labelHist: uint8ArrayAlloc(0),
          projMean: uint8ArrayAlloc(0),
          projStd: uint8ArrayAlloc(0),
          classDims: 0,
          classMeans: uint8ArrayAlloc(0),
          capacity: 0,
          absentClasses: [],
          featureMean: uint8ArrayAlloc(0),
          featureStd: uint8ArrayAlloc(0),
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint32()
              break
            }
            case 3: {
              obj.sampleCount = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.inputShape != null && obj.inputShape.length === opts.limits.inputShape) {
                throw new MaxLengthError('Decode error - map field "inputShape" had too many elements')
              }

              obj.inputShape.push(reader.uint32())
              break
            }
            case 5: {
              obj.numClasses = reader.uint32()
              break
            }
            case 6: {
              obj.labelHist = reader.bytes()
              break
            }
            case 7: {
              obj.projMean = reader.bytes()
              break
            }
            case 8: {
              obj.projStd = reader.bytes()
              break
            }
            case 9: {
              obj.classDims = reader.uint32()
              break
            }
            case 10: {
              obj.classMeans = reader.bytes()
              break
            }
            case 11: {
              obj.capacity = reader.float()
              break
            }
            case 12: {
              if (opts.limits?.absentClasses != null && obj.absentClasses.length === opts.limits.absentClasses) {
                throw new MaxLengthError('Decode error - map field "absentClasses" had too many elements')
              }

              obj.absentClasses.push(reader.uint32())
              break
            }
            case 13: {
              obj.featureMean = reader.bytes()
              break
            }
            case 14: {
              obj.featureStd = reader.bytes()
              break
            }
            case 15: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Fingerprint>): Uint8Array => {
    return encodeMessage(obj, Fingerprint.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Fingerprint>): Fingerprint => {
    return decodeMessage(buf, Fingerprint.codec(), opts)
  }
}

export interface Heartbeat {
  peerId: string
  seq: number
  cluster?: string
  role: Role
  round: number
  fingerprintSeq: number
  viewSize: number
  viewDigest: string
  sentAt: number
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint32(obj.seq)
        }

        if (obj.cluster != null) {
          w.uint32(26)
          w.string(obj.cluster)
        }

        if (obj.role != null && __RoleValues[obj.role] !== 0) {
          w.uint32(32)
          Role.codec().encode(obj.role, w)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(40)
          w.uint32(obj.round)
        }

        if ((obj.fingerprintSeq != null && obj.fingerprintSeq !== 0)) {
          w.uint32(48)
          w.uint32(obj.fingerprintSeq)
        }

        if ((obj.viewSize != null && obj.viewSize !== 0)) {
          w.uint32(56)
          w.uint32(obj.viewSize)
        }

        if ((obj.viewDigest != null && obj.viewDigest !== '')) {
          w.uint32(66)
          w.string(obj.viewDigest)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(72)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          seq: 0,
          role: Role.ROLE_UNASSIGNED,
          round: 0,
          fingerprintSeq: 0,
          viewSize: 0,
          viewDigest: '',
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint32()
              break
            }
            case 3: {
              obj.cluster = reader.string()
              break
            }
            case 4: {
              obj.role = Role.codec().decode(reader)
              break
            }
            case 5: {
              obj.round = reader.uint32()
              break
            }
            case 6: {
              obj.fingerprintSeq = reader.uint32()
              break
            }
            case 7: {
              obj.viewSize = reader.uint32()
              break
            }
            case 8: {
              obj.viewDigest = reader.string()
              break
            }
            case 9: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Heartbeat>): Uint8Array => {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat => {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }
}

export interface HeadLease {
  cluster: string
  head: string
  term: number
  round: number
  leaseMs: number
  sentAt: number
}

export namespace HeadLease {
  let _codec: Codec<HeadLease>

  export const codec = (): Codec<HeadLease> => {
    if (_codec == null) {
      _codec = message<HeadLease>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.head != null && obj.head !== '')) {
          w.uint32(18)
          w.string(obj.head)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(32)
          w.uint32(obj.round)
        }

        if ((obj.leaseMs != null && obj.leaseMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.leaseMs)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          head: '',
          term: 0,
          round: 0,
          leaseMs: 0,
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.head = reader.string()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.round = reader.uint32()
              break
            }
            case 5: {
              obj.leaseMs = reader.uint32()
              break
            }
            case 6: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<HeadLease>): Uint8Array => {
    return encodeMessage(obj, HeadLease.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeadLease>): HeadLease => {
    return decodeMessage(buf, HeadLease.codec(), opts)
  }
}

export interface RoundOpen {
  cluster: string
  round: number
  term: number
  head: string
  deadlineMs: number
  specHash: string
  members: string[]
  sentAt: number
}

export namespace RoundOpen {
  let _codec: Codec<RoundOpen>

  export const codec = (): Codec<RoundOpen> => {
    if (_codec == null) {
      _codec = message<RoundOpen>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.head != null && obj.head !== '')) {
          w.uint32(34)
          w.string(obj.head)
        }

        if ((obj.deadlineMs != null && obj.deadlineMs !== 0)) {
          w.uint32(40)
          w.uint32(obj.deadlineMs)
        }

        if ((obj.specHash != null && obj.specHash !== '')) {
          w.uint32(50)
          w.string(obj.specHash)
        }

        if (obj.members != null) {
          for (const value of obj.members) {
            w.uint32(58)
            w.string(value)
          }
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(64)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          head: '',
          deadlineMs: 0,
          specHash: '',
          members: [],
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.head = reader.string()
              break
            }
            case 5: {
              obj.deadlineMs = reader.uint32()
              break
            }
            case 6: {
              obj.specHash = reader.string()
              break
            }
            case 7: {
              if (opts.limits?.members != null && obj.members.length === opts.limits.members) {
                throw new MaxLengthError('Decode error - map field "members" had too many elements')
              }

              obj.members.push(reader.string())
              break
            }
            case 8: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<RoundOpen>): Uint8Array => {
    return encodeMessage(obj, RoundOpen.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoundOpen>): RoundOpen => {
    return decodeMessage(buf, RoundOpen.codec(), opts)
  }
}

export interface ModelAnnounce {
  cluster: string
  round: number
  term: number
  head: string
  specHash: string
  sentAt: number
}

export namespace ModelAnnounce {
  let _codec: Codec<ModelAnnounce>

  export const codec = (): Codec<ModelAnnounce> => {
    if (_codec == null) {
      _codec = message<ModelAnnounce>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.head != null && obj.head !== '')) {
          w.uint32(34)
          w.string(obj.head)
        }

        if ((obj.specHash != null && obj.specHash !== '')) {
          w.uint32(42)
          w.string(obj.specHash)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          head: '',
          specHash: '',
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.head = reader.string()
              break
            }
            case 5: {
              obj.specHash = reader.string()
              break
            }
            case 6: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ModelAnnounce>): Uint8Array => {
    return encodeMessage(obj, ModelAnnounce.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelAnnounce>): ModelAnnounce => {
    return decodeMessage(buf, ModelAnnounce.codec(), opts)
  }
}

export interface ModelEnvelope {
  modelId: string
  cluster?: string
  warmupPeer?: string
  round: number
  term: number
  specHash: string
  weights: Uint8Array
}

export namespace ModelEnvelope {
  let _codec: Codec<ModelEnvelope>

  export const codec = (): Codec<ModelEnvelope> => {
    if (_codec == null) {
      _codec = message<ModelEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.warmupPeer != null) {
          obj.cluster = undefined
        }

        if (obj.cluster != null) {
          obj.warmupPeer = undefined
        }

        if ((obj.modelId != null && obj.modelId !== '')) {
          w.uint32(10)
          w.string(obj.modelId)
        }

        if (obj.cluster != null) {
          w.uint32(18)
          w.string(obj.cluster)
        }

        if (obj.warmupPeer != null) {
          w.uint32(58)
          w.string(obj.warmupPeer)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(32)
          w.uint32(obj.term)
        }

        if ((obj.specHash != null && obj.specHash !== '')) {
          w.uint32(42)
          w.string(obj.specHash)
        }

        if ((obj.weights != null && obj.weights.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.weights)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          modelId: '',
          round: 0,
          term: 0,
          specHash: '',
          weights: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.modelId = reader.string()
              break
            }
            case 2: {
              obj.cluster = reader.string()
              break
            }
            case 7: {
              obj.warmupPeer = reader.string()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              obj.term = reader.uint32()
              break
            }
            case 5: {
              obj.specHash = reader.string()
              break
            }
            case 6: {
              obj.weights = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.warmupPeer != null) {
          delete obj.cluster
        }

        if (obj.cluster != null) {
          delete obj.warmupPeer
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ModelEnvelope>): Uint8Array => {
    return encodeMessage(obj, ModelEnvelope.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModelEnvelope>): ModelEnvelope => {
    return decodeMessage(buf, ModelEnvelope.codec(), opts)
  }
}

export interface UpdateEnvelope {
  cluster: string
  baseRound: number
  term: number
  sampleCount: number
  specHash: string
  weights: Uint8Array
}

export namespace UpdateEnvelope {
  let _codec: Codec<UpdateEnvelope>

  export const codec = (): Codec<UpdateEnvelope> => {
    if (_codec == null) {
      _codec = message<UpdateEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.baseRound != null && obj.baseRound !== 0)) {
          w.uint32(16)
          w.uint32(obj.baseRound)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.sampleCount != null && obj.sampleCount !== 0)) {
          w.uint32(32)
          w.uint32(obj.sampleCount)
        }

        if ((obj.specHash != null && obj.specHash !== '')) {
          w.uint32(42)
          w.string(obj.specHash)
        }

        if ((obj.weights != null && obj.weights.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.weights)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          baseRound: 0,
          term: 0,
          sampleCount: 0,
          specHash: '',
          weights: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.baseRound = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.sampleCount = reader.uint32()
              break
            }
            case 5: {
              obj.specHash = reader.string()
              break
            }
            case 6: {
              obj.weights = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<UpdateEnvelope>): Uint8Array => {
    return encodeMessage(obj, UpdateEnvelope.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<UpdateEnvelope>): UpdateEnvelope => {
    return decodeMessage(buf, UpdateEnvelope.codec(), opts)
  }
}

export interface FetchRequest {
  cluster?: string
  warmupPeer?: string
  minRound: number
  codec?: CodecId
}

export namespace FetchRequest {
  let _codec: Codec<FetchRequest>

  export const codec = (): Codec<FetchRequest> => {
    if (_codec == null) {
      _codec = message<FetchRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.warmupPeer != null) {
          obj.cluster = undefined
        }

        if (obj.cluster != null) {
          obj.warmupPeer = undefined
        }

        if (obj.cluster != null) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if (obj.warmupPeer != null) {
          w.uint32(34)
          w.string(obj.warmupPeer)
        }

        if ((obj.minRound != null && obj.minRound !== 0)) {
          w.uint32(16)
          w.uint32(obj.minRound)
        }

        if (obj.codec != null) {
          w.uint32(24)
          CodecId.codec().encode(obj.codec, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          minRound: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 4: {
              obj.warmupPeer = reader.string()
              break
            }
            case 2: {
              obj.minRound = reader.uint32()
              break
            }
            case 3: {
              obj.codec = CodecId.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.warmupPeer != null) {
          delete obj.cluster
        }

        if (obj.cluster != null) {
          delete obj.warmupPeer
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<FetchRequest>): Uint8Array => {
    return encodeMessage(obj, FetchRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FetchRequest>): FetchRequest => {
    return decodeMessage(buf, FetchRequest.codec(), opts)
  }
}

export interface Ack {
  cluster: string
  round: number
}

export namespace Ack {
  let _codec: Codec<Ack>

  export const codec = (): Codec<Ack> => {
    if (_codec == null) {
      _codec = message<Ack>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Ack>): Uint8Array => {
    return encodeMessage(obj, Ack.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack => {
    return decodeMessage(buf, Ack.codec(), opts)
  }
}

export interface LossReport {
  peerId: string
  seq: number
  round: number
  candidates: string[]
  losses: Uint8Array
  sentAt: number
}

export namespace LossReport {
  let _codec: Codec<LossReport>

  export const codec = (): Codec<LossReport> => {
    if (_codec == null) {
      _codec = message<LossReport>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint32(obj.seq)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(24)
          w.uint32(obj.round)
        }

        if (obj.candidates != null) {
          for (const value of obj.candidates) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.losses != null && obj.losses.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.losses)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0)) {
          w.uint32(48)
          w.uint64Number(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          seq: 0,
          round: 0,
          candidates: [],
          losses: uint8ArrayAlloc(0),
          sentAt: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint32()
              break
            }
            case 3: {
              obj.round = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.candidates != null && obj.candidates.length === opts.limits.candidates) {
                throw new MaxLengthError('Decode error - map field "candidates" had too many elements')
              }

              obj.candidates.push(reader.string())
              break
            }
            case 5: {
              obj.losses = reader.bytes()
              break
            }
            case 6: {
              obj.sentAt = reader.uint64Number()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<LossReport>): Uint8Array => {
    return encodeMessage(obj, LossReport.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LossReport>): LossReport => {
    return decodeMessage(buf, LossReport.codec(), opts)
  }
}

export interface ErrorReply {
  message: string
  code: number
}

export namespace ErrorReply {
  let _codec: Codec<ErrorReply>

  export const codec = (): Codec<ErrorReply> => {
    if (_codec == null) {
      _codec = message<ErrorReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if ((obj.code != null && obj.code !== 0)) {
          w.uint32(24)
          w.uint32(obj.code)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          message: '',
          code: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              obj.message = reader.string()
              break
            }
            case 3: {
              obj.code = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ErrorReply>): Uint8Array => {
    return encodeMessage(obj, ErrorReply.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ErrorReply>): ErrorReply => {
    return decodeMessage(buf, ErrorReply.codec(), opts)
  }
}

export interface PeerListRequest {
  max: number
}

export namespace PeerListRequest {
  let _codec: Codec<PeerListRequest>

  export const codec = (): Codec<PeerListRequest> => {
    if (_codec == null) {
      _codec = message<PeerListRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.max != null && obj.max !== 0)) {
          w.uint32(8)
          w.uint32(obj.max)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          max: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.max = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<PeerListRequest>): Uint8Array => {
    return encodeMessage(obj, PeerListRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerListRequest>): PeerListRequest => {
    return decodeMessage(buf, PeerListRequest.codec(), opts)
  }
}

export interface PeerInfo {
  id: string
  addrs: Uint8Array[]
}

export namespace PeerInfo {
  let _codec: Codec<PeerInfo>

  export const codec = (): Codec<PeerInfo> => {
    if (_codec == null) {
      _codec = message<PeerInfo>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          addrs: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<PeerInfo>): Uint8Array => {
    return encodeMessage(obj, PeerInfo.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerInfo>): PeerInfo => {
    return decodeMessage(buf, PeerInfo.codec(), opts)
  }
}

export interface PeerList {
  peers: PeerInfo[]
}

export namespace PeerList {
  let _codec: Codec<PeerList>

  export const codec = (): Codec<PeerList> => {
    if (_codec == null) {
      _codec = message<PeerList>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.peers != null) {
          for (const value of obj.peers) {
            w.uint32(10)
            PeerInfo.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peers: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.peers != null && obj.peers.length === opts.limits.peers) {
                throw new MaxLengthError('Decode error - map field "peers" had too many elements')
              }

              obj.peers.push(PeerInfo.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peers$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<PeerList>): Uint8Array => {
    return encodeMessage(obj, PeerList.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeerList>): PeerList => {
    return decodeMessage(buf, PeerList.codec(), opts)
  }
}

export interface ViewEntry {
  peerId: string
  seq: number
}

export namespace ViewEntry {
  let _codec: Codec<ViewEntry>

  export const codec = (): Codec<ViewEntry> => {
    if (_codec == null) {
      _codec = message<ViewEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint32(obj.seq)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          seq: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.seq = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ViewEntry>): Uint8Array => {
    return encodeMessage(obj, ViewEntry.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ViewEntry>): ViewEntry => {
    return decodeMessage(buf, ViewEntry.codec(), opts)
  }
}

export interface ViewSyncRequest {
  have: ViewEntry[]
}

export namespace ViewSyncRequest {
  let _codec: Codec<ViewSyncRequest>

  export const codec = (): Codec<ViewSyncRequest> => {
    if (_codec == null) {
      _codec = message<ViewSyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.have != null) {
          for (const value of obj.have) {
            w.uint32(10)
            ViewEntry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          have: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.have != null && obj.have.length === opts.limits.have) {
                throw new MaxLengthError('Decode error - map field "have" had too many elements')
              }

              obj.have.push(ViewEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.have$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ViewSyncRequest>): Uint8Array => {
    return encodeMessage(obj, ViewSyncRequest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ViewSyncRequest>): ViewSyncRequest => {
    return decodeMessage(buf, ViewSyncRequest.codec(), opts)
  }
}

export interface SignedFingerprint {
  message: Uint8Array
  ageMs: number
}

export namespace SignedFingerprint {
  let _codec: Codec<SignedFingerprint>

  export const codec = (): Codec<SignedFingerprint> => {
    if (_codec == null) {
      _codec = message<SignedFingerprint>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.message != null && obj.message.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.message)
        }

        if ((obj.ageMs != null && obj.ageMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.ageMs)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          message: uint8ArrayAlloc(0),
          ageMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.message = reader.bytes()
              break
            }
            case 2: {
              obj.ageMs = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SignedFingerprint>): Uint8Array => {
    return encodeMessage(obj, SignedFingerprint.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedFingerprint>): SignedFingerprint => {
    return decodeMessage(buf, SignedFingerprint.codec(), opts)
  }
}

export interface ViewSync {
  signed: SignedFingerprint[]
}

export namespace ViewSync {
  let _codec: Codec<ViewSync>

  export const codec = (): Codec<ViewSync> => {
    if (_codec == null) {
      _codec = message<ViewSync>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.signed != null) {
          for (const value of obj.signed) {
            w.uint32(18)
            SignedFingerprint.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          signed: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 2: {
              if (opts.limits?.signed != null && obj.signed.length === opts.limits.signed) {
                throw new MaxLengthError('Decode error - map field "signed" had too many elements')
              }

              obj.signed.push(SignedFingerprint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.signed$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<ViewSync>): Uint8Array => {
    return encodeMessage(obj, ViewSync.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ViewSync>): ViewSync => {
    return decodeMessage(buf, ViewSync.codec(), opts)
  }
}

export interface GossipFrame {
  version: number
  fingerprint?: Fingerprint
  heartbeat?: Heartbeat
  headLease?: HeadLease
  roundOpen?: RoundOpen
  lossReport?: LossReport
  modelAnnounce?: ModelAnnounce
}

export namespace GossipFrame {
  let _codec: Codec<GossipFrame>

  export const codec = (): Codec<GossipFrame> => {
    if (_codec == null) {
      _codec = message<GossipFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.modelAnnounce != null) {
          obj.lossReport = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.lossReport != null) {
          obj.modelAnnounce = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.roundOpen != null) {
          obj.modelAnnounce = undefined
          obj.lossReport = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.headLease != null) {
          obj.modelAnnounce = undefined
          obj.lossReport = undefined
          obj.roundOpen = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.heartbeat != null) {
          obj.modelAnnounce = undefined
          obj.lossReport = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.fingerprint = undefined
        }

        if (obj.fingerprint != null) {
          obj.modelAnnounce = undefined
          obj.lossReport = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.fingerprint != null) {
          w.uint32(18)
          Fingerprint.codec().encode(obj.fingerprint, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(26)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (obj.headLease != null) {
          w.uint32(34)
          HeadLease.codec().encode(obj.headLease, w)
        }

        if (obj.roundOpen != null) {
          w.uint32(42)
          RoundOpen.codec().encode(obj.roundOpen, w)
        }

        if (obj.lossReport != null) {
          w.uint32(58)
          LossReport.codec().encode(obj.lossReport, w)
        }

        if (obj.modelAnnounce != null) {
          w.uint32(66)
          ModelAnnounce.codec().encode(obj.modelAnnounce, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.fingerprint = Fingerprint.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fingerprint
              })
              break
            }
            case 3: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 4: {
              obj.headLease = HeadLease.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.headLease
              })
              break
            }
            case 5: {
              obj.roundOpen = RoundOpen.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.roundOpen
              })
              break
            }
            case 7: {
              obj.lossReport = LossReport.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lossReport
              })
              break
            }
            case 8: {
              obj.modelAnnounce = ModelAnnounce.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.modelAnnounce
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.modelAnnounce != null) {
          delete obj.lossReport
          delete obj.roundOpen
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.lossReport != null) {
          delete obj.modelAnnounce
          delete obj.roundOpen
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.roundOpen != null) {
          delete obj.modelAnnounce
          delete obj.lossReport
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.headLease != null) {
          delete obj.modelAnnounce
          delete obj.lossReport
          delete obj.roundOpen
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.heartbeat != null) {
          delete obj.modelAnnounce
          delete obj.lossReport
          delete obj.roundOpen
          delete obj.headLease
          delete obj.fingerprint
        }

        if (obj.fingerprint != null) {
          delete obj.modelAnnounce
          delete obj.lossReport
          delete obj.roundOpen
          delete obj.headLease
          delete obj.heartbeat
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<GossipFrame>): Uint8Array => {
    return encodeMessage(obj, GossipFrame.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<GossipFrame>): GossipFrame => {
    return decodeMessage(buf, GossipFrame.codec(), opts)
  }
}

export interface DirectFrame {
  version: number
  fetchRequest?: FetchRequest
  model?: ModelEnvelope
  update?: UpdateEnvelope
  ack?: Ack
  error?: ErrorReply
  peerListRequest?: PeerListRequest
  peerList?: PeerList
  viewSyncRequest?: ViewSyncRequest
  viewSync?: ViewSync
  syntheticSet?: SyntheticSet
}

export namespace DirectFrame {
  let _codec: Codec<DirectFrame>

  export const codec = (): Codec<DirectFrame> => {
    if (_codec == null) {
      _codec = message<DirectFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.syntheticSet != null) {
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.viewSync != null) {
          obj.syntheticSet = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.viewSyncRequest != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.peerList != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.peerListRequest != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.error != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.ack != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.update != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.model != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.fetchRequest = undefined
        }

        if (obj.fetchRequest != null) {
          obj.syntheticSet = undefined
          obj.viewSync = undefined
          obj.viewSyncRequest = undefined
          obj.peerList = undefined
          obj.peerListRequest = undefined
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.fetchRequest != null) {
          w.uint32(18)
          FetchRequest.codec().encode(obj.fetchRequest, w)
        }

        if (obj.model != null) {
          w.uint32(26)
          ModelEnvelope.codec().encode(obj.model, w)
        }

        if (obj.update != null) {
          w.uint32(34)
          UpdateEnvelope.codec().encode(obj.update, w)
        }

        if (obj.ack != null) {
          w.uint32(42)
          Ack.codec().encode(obj.ack, w)
        }

        if (obj.error != null) {
          w.uint32(50)
          ErrorReply.codec().encode(obj.error, w)
        }

        if (obj.peerListRequest != null) {
          w.uint32(58)
          PeerListRequest.codec().encode(obj.peerListRequest, w)
        }

        if (obj.peerList != null) {
          w.uint32(66)
          PeerList.codec().encode(obj.peerList, w)
        }

        if (obj.viewSyncRequest != null) {
          w.uint32(74)
          ViewSyncRequest.codec().encode(obj.viewSyncRequest, w)
        }

        if (obj.viewSync != null) {
          w.uint32(82)
          ViewSync.codec().encode(obj.viewSync, w)
        }

        if (obj.syntheticSet != null) {
          w.uint32(90)
          SyntheticSet.codec().encode(obj.syntheticSet, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.fetchRequest = FetchRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.fetchRequest
              })
              break
            }
            case 3: {
              obj.model = ModelEnvelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.model
              })
              break
            }
            case 4: {
              obj.update = UpdateEnvelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.update
              })
              break
            }
            case 5: {
              obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.ack
              })
              break
            }
            case 6: {
              obj.error = ErrorReply.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 7: {
              obj.peerListRequest = PeerListRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peerListRequest
              })
              break
            }
            case 8: {
              obj.peerList = PeerList.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.peerList
              })
              break
            }
            case 9: {
              obj.viewSyncRequest = ViewSyncRequest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.viewSyncRequest
              })
              break
            }
            case 10: {
              obj.viewSync = ViewSync.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.viewSync
              })
              break
            }
            case 11: {
              obj.syntheticSet = SyntheticSet.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.syntheticSet
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.syntheticSet != null) {
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.viewSync != null) {
          delete obj.syntheticSet
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.viewSyncRequest != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.peerList != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.peerListRequest != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.error != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.ack != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.update != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.model != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.fetchRequest
        }

        if (obj.fetchRequest != null) {
          delete obj.syntheticSet
          delete obj.viewSync
          delete obj.viewSyncRequest
          delete obj.peerList
          delete obj.peerListRequest
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.model
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<DirectFrame>): Uint8Array => {
    return encodeMessage(obj, DirectFrame.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectFrame>): DirectFrame => {
    return decodeMessage(buf, DirectFrame.codec(), opts)
  }
}

export interface SyntheticSet {
  cluster: string
  round: number
  term: number
  dims: number
  count: number
  labels: Uint8Array
  x: Uint8Array
}

export namespace SyntheticSet {
  let _codec: Codec<SyntheticSet>

  export const codec = (): Codec<SyntheticSet> => {
    if (_codec == null) {
      _codec = message<SyntheticSet>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.cluster != null && obj.cluster !== '')) {
          w.uint32(10)
          w.string(obj.cluster)
        }

        if ((obj.round != null && obj.round !== 0)) {
          w.uint32(16)
          w.uint32(obj.round)
        }

        if ((obj.term != null && obj.term !== 0)) {
          w.uint32(24)
          w.uint32(obj.term)
        }

        if ((obj.dims != null && obj.dims !== 0)) {
          w.uint32(32)
          w.uint32(obj.dims)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(40)
          w.uint32(obj.count)
        }

        if ((obj.labels != null && obj.labels.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.labels)
        }

        if ((obj.x != null && obj.x.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.x)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          round: 0,
          term: 0,
          dims: 0,
          count: 0,
          labels: uint8ArrayAlloc(0),
          x: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.cluster = reader.string()
              break
            }
            case 2: {
              obj.round = reader.uint32()
              break
            }
            case 3: {
              obj.term = reader.uint32()
              break
            }
            case 4: {
              obj.dims = reader.uint32()
              break
            }
            case 5: {
              obj.count = reader.uint32()
              break
            }
            case 6: {
              obj.labels = reader.bytes()
              break
            }
            case 7: {
              obj.x = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SyntheticSet>): Uint8Array => {
    return encodeMessage(obj, SyntheticSet.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyntheticSet>): SyntheticSet => {
    return decodeMessage(buf, SyntheticSet.codec(), opts)
  }
}

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

export interface Fingerprint {
  peerId: string
  seq: number
  sampleCount: number
  inputShape: number[]
  numClasses: number
  labelHist: number[]
  projMean: number[]
  projStd: number[]
  classDims: number
  classMeans: number[]
  capacity: number
  absentClasses: number[]
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

        if (obj.labelHist != null) {
          for (const value of obj.labelHist) {
            w.uint32(53)
            w.float(value)
          }
        }

        if (obj.projMean != null) {
          for (const value of obj.projMean) {
            w.uint32(61)
            w.float(value)
          }
        }

        if (obj.projStd != null) {
          for (const value of obj.projStd) {
            w.uint32(69)
            w.float(value)
          }
        }

        if ((obj.classDims != null && obj.classDims !== 0)) {
          w.uint32(72)
          w.uint32(obj.classDims)
        }

        if (obj.classMeans != null) {
          for (const value of obj.classMeans) {
            w.uint32(85)
            w.float(value)
          }
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
          labelHist: [],
          projMean: [],
          projStd: [],
          classDims: 0,
          classMeans: [],
          capacity: 0,
          absentClasses: []
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
              if (opts.limits?.labelHist != null && obj.labelHist.length === opts.limits.labelHist) {
                throw new MaxLengthError('Decode error - map field "labelHist" had too many elements')
              }

              obj.labelHist.push(reader.float())
              break
            }
            case 7: {
              if (opts.limits?.projMean != null && obj.projMean.length === opts.limits.projMean) {
                throw new MaxLengthError('Decode error - map field "projMean" had too many elements')
              }

              obj.projMean.push(reader.float())
              break
            }
            case 8: {
              if (opts.limits?.projStd != null && obj.projStd.length === opts.limits.projStd) {
                throw new MaxLengthError('Decode error - map field "projStd" had too many elements')
              }

              obj.projStd.push(reader.float())
              break
            }
            case 9: {
              obj.classDims = reader.uint32()
              break
            }
            case 10: {
              if (opts.limits?.classMeans != null && obj.classMeans.length === opts.limits.classMeans) {
                throw new MaxLengthError('Decode error - map field "classMeans" had too many elements')
              }

              obj.classMeans.push(reader.float())
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          seq: 0,
          role: Role.ROLE_UNASSIGNED,
          round: 0,
          fingerprintSeq: 0
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          cluster: '',
          head: '',
          term: 0,
          round: 0,
          leaseMs: 0
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
          specHash: ''
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

export interface ModelEnvelope {
  modelId: string
  cluster?: string
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

        if ((obj.modelId != null && obj.modelId !== '')) {
          w.uint32(10)
          w.string(obj.modelId)
        }

        if (obj.cluster != null) {
          w.uint32(18)
          w.string(obj.cluster)
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

        if (obj.cluster != null) {
          w.uint32(10)
          w.string(obj.cluster)
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
  losses: number[]
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

        if (obj.losses != null) {
          for (const value of obj.losses) {
            w.uint32(45)
            w.float(value)
          }
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
          losses: []
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
              if (opts.limits?.losses != null && obj.losses.length === opts.limits.losses) {
                throw new MaxLengthError('Decode error - map field "losses" had too many elements')
              }

              obj.losses.push(reader.float())
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
  code: string
  message: string
}

export namespace ErrorReply {
  let _codec: Codec<ErrorReply>

  export const codec = (): Codec<ErrorReply> => {
    if (_codec == null) {
      _codec = message<ErrorReply>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.code != null && obj.code !== '')) {
          w.uint32(10)
          w.string(obj.code)
        }

        if ((obj.message != null && obj.message !== '')) {
          w.uint32(18)
          w.string(obj.message)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: '',
          message: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = reader.string()
              break
            }
            case 2: {
              obj.message = reader.string()
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

export interface GossipFrame {
  version: number
  fingerprint?: Fingerprint
  heartbeat?: Heartbeat
  headLease?: HeadLease
  roundOpen?: RoundOpen
  model?: ModelEnvelope
  lossReport?: LossReport
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

        if (obj.lossReport != null) {
          obj.model = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.model != null) {
          obj.lossReport = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.roundOpen != null) {
          obj.lossReport = undefined
          obj.model = undefined
          obj.headLease = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.headLease != null) {
          obj.lossReport = undefined
          obj.model = undefined
          obj.roundOpen = undefined
          obj.heartbeat = undefined
          obj.fingerprint = undefined
        }

        if (obj.heartbeat != null) {
          obj.lossReport = undefined
          obj.model = undefined
          obj.roundOpen = undefined
          obj.headLease = undefined
          obj.fingerprint = undefined
        }

        if (obj.fingerprint != null) {
          obj.lossReport = undefined
          obj.model = undefined
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

        if (obj.model != null) {
          w.uint32(50)
          ModelEnvelope.codec().encode(obj.model, w)
        }

        if (obj.lossReport != null) {
          w.uint32(58)
          LossReport.codec().encode(obj.lossReport, w)
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
            case 6: {
              obj.model = ModelEnvelope.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.model
              })
              break
            }
            case 7: {
              obj.lossReport = LossReport.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.lossReport
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.lossReport != null) {
          delete obj.model
          delete obj.roundOpen
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.model != null) {
          delete obj.lossReport
          delete obj.roundOpen
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.roundOpen != null) {
          delete obj.lossReport
          delete obj.model
          delete obj.headLease
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.headLease != null) {
          delete obj.lossReport
          delete obj.model
          delete obj.roundOpen
          delete obj.heartbeat
          delete obj.fingerprint
        }

        if (obj.heartbeat != null) {
          delete obj.lossReport
          delete obj.model
          delete obj.roundOpen
          delete obj.headLease
          delete obj.fingerprint
        }

        if (obj.fingerprint != null) {
          delete obj.lossReport
          delete obj.model
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

        if (obj.error != null) {
          obj.ack = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.ack != null) {
          obj.error = undefined
          obj.update = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.update != null) {
          obj.error = undefined
          obj.ack = undefined
          obj.model = undefined
          obj.fetchRequest = undefined
        }

        if (obj.model != null) {
          obj.error = undefined
          obj.ack = undefined
          obj.update = undefined
          obj.fetchRequest = undefined
        }

        if (obj.fetchRequest != null) {
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
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.error != null) {
          delete obj.ack
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.ack != null) {
          delete obj.error
          delete obj.update
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.update != null) {
          delete obj.error
          delete obj.ack
          delete obj.model
          delete obj.fetchRequest
        }

        if (obj.model != null) {
          delete obj.error
          delete obj.ack
          delete obj.update
          delete obj.fetchRequest
        }

        if (obj.fetchRequest != null) {
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
